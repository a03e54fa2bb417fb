#pragma once
// vm.device.* configuration operations: query, get_instance, create, update,
// delete, with ordering and the per-dtype rules of device/.
#include <middlewared/json.hpp>

#include "vm_state.hpp"

namespace mw::vm {

class DeviceService {
 public:
  explicit DeviceService(VmState& state) : state_(state) {}

  json::value query(const json::array& filters, const json::object& options, bool redact) const;
  json::value get_instance(int64_t id, const json::object& options, bool redact) const;
  json::object create(const json::object& data);
  json::object update(int64_t id, const json::object& data);
  void remove(int64_t id, const json::object& options);

 private:
  // Model rules of `attrs` (tag, types, literals, defaults) under `prefix`; throws alone.
  // Returns the typed attributes.
  DeviceAttributes check_model(json::object& attrs, const std::string& prefix) const;
  // Gives `device` its order and moves colliding siblings upward; returns the moved ones.
  std::vector<DeviceConfig> place(DeviceConfig& device, const json::value& requested_order) const;
  json::object store(DeviceConfig device, const DeviceConfig* old, const json::value& requested_order);

  VmState& state_;
};

// Orders for `others` after giving a device `order`: each collision pushes the next one up.
std::vector<std::pair<int64_t, int64_t>> renumber_upward(std::vector<std::pair<int64_t, int64_t>> others_by_order,
                                                         int64_t order);

}  // namespace mw::vm
