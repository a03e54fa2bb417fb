#pragma once
// One device type (dtype): its attribute rules beyond the schema, its checks against the host
// and the VM's other devices, and its effects on the host. One file per dtype implements it; the
// typed attributes, defaults and default boot order are the model's (model/device_config.hpp).
// What the dtype is to QEMU (its arguments, what it needs of the host before a start) is its
// QEMU side, hypervisor/qemu/devices/<dtype>.cpp, in the library below this plugin (why there:
// hypervisor/qemu/devices/qemu_device.hpp).
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <middlewared/errors.hpp>
#include <middlewared/json.hpp>

#include "../catalog.hpp"
#include "../storage_roots.hpp"

namespace mw::vm {

class HostInfo;
class VmRuntimeStatus;

// What a kind may consult while validating one device.
struct DeviceContext {
  const VmCatalog& catalog;
  HostInfo& host;
  const StorageRoots& roots;
  const VmRuntimeStatus& runtime;
  const VmConfig& vm;                 // the owning VM
  const DeviceConfig* old = nullptr;  // the stored device on update
  int64_t device_id = 0;              // 0 on create

  int64_t vm_id() const { return vm.id; }
  const std::string& vm_name() const { return vm.name; }
  // The VM's other devices (the one being updated left out).
  std::vector<DeviceConfig> siblings() const;
  // The stored attributes of the device being updated (nullptr on create).
  template <class A>
  const A* old_attributes() const {
    return old ? old->get<A>() : nullptr;
  }
};

class DeviceKind {
 public:
  virtual ~DeviceKind() = default;
  virtual std::string dtype() const = 0;
  // Cross-field model rules (pydantic model validators), reported as "Value error, <text>".
  virtual std::vector<std::string> model_rules(const json::object& attrs) const { return {}; }
  // The plugin checks; may complete the attributes (generated MAC, ports, serial, password).
  virtual void validate(DeviceConfig& device, const DeviceContext& ctx, ValidationErrors& errors) const = 0;
  // Host side effects once valid, before the commit (RAW files); the returned function undoes
  // them if the commit fails.
  virtual std::function<void()> apply(DeviceConfig& device, const DeviceConfig* old) const { return {}; }
  // Stored form: what must not be persisted as given (RAW `exists`).
  virtual void before_store(DeviceConfig& device) const {}
};

// A kind working on its own attribute struct.
template <class Attributes>
class TypedDeviceKind : public DeviceKind {
 public:
  std::string dtype() const final { return std::string(Attributes::dtype); }
  void validate(DeviceConfig& device, const DeviceContext& ctx, ValidationErrors& errors) const final {
    check(attributes_as<Attributes>(device.attributes), ctx, errors);
  }

 protected:
  virtual void check(Attributes& attributes, const DeviceContext& ctx, ValidationErrors& errors) const = 0;
};

// nullptr for an unknown dtype.
const DeviceKind* device_kind(std::string_view dtype);
// Every dtype, in the order error messages list them.
const std::vector<std::string>& device_types();

// Shared by the disk-like kinds.
void check_sector_sizes(const DiskCommon& attrs, ValidationErrors& errors);
void settle_serial(DiskCommon& attrs, const DeviceContext& ctx, ValidationErrors& errors);
// Same path on another DISK/RAW/CDROM of the VM.
bool path_taken(const std::string& path, const DeviceContext& ctx);

}  // namespace mw::vm
