#pragma once
// The in-memory view of every VM and device. Changed only after a successful commit; readers
// take a shared lock, so queries never wait for SQLite.
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <shared_mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include <middlewared/json.hpp>

namespace mw::vm {

struct DeviceRecord {
  int64_t id = 0;
  int64_t vm = 0;
  int64_t order = 0;
  json::object attributes;  // always has "dtype"

  std::string dtype() const;
  json::object entry() const;  // {id, vm, order, attributes}
};

class VmCatalog {
 public:
  // vms: the stored fields incl. "id".
  void load(std::vector<json::object> vms, std::vector<DeviceRecord> devices);

  std::optional<json::object> vm(int64_t id) const;
  std::optional<int64_t> vm_id_by_name(const std::string& name) const;
  std::vector<json::object> all_vms() const;  // by id
  std::size_t vm_count() const;

  std::optional<DeviceRecord> device(int64_t id) const;
  std::vector<DeviceRecord> devices_of(int64_t vm_id) const;  // by (order, id)
  std::vector<DeviceRecord> all_devices() const;              // by id
  // The DISPLAY device using `port` as port or web_port.
  std::optional<int64_t> display_port_owner(int64_t port) const;
  std::set<int64_t> display_ports() const;

  void put_vm(json::object fields);
  void erase_vm(int64_t id);  // and its devices
  void put_device(DeviceRecord device);
  void erase_device(int64_t id);

 private:
  void index_device(const DeviceRecord& d);
  void unindex_device(const DeviceRecord& d);

  mutable std::shared_mutex mutex_;
  std::map<int64_t, json::object> vms_;
  std::unordered_map<std::string, int64_t> names_;
  std::map<int64_t, DeviceRecord> devices_;
  std::unordered_map<int64_t, std::set<std::pair<int64_t, int64_t>>> by_vm_;  // vm -> (order, id)
  std::map<int64_t, int64_t> display_ports_;                                   // port -> device id
};

}  // namespace mw::vm
