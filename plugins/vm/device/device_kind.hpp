#pragma once
// One device type (dtype): its attribute model, default boot order, the checks of 
// and its effects on the host. One file per dtype implements it.
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <middlewared/errors.hpp>
#include <middlewared/json.hpp>

#include "../catalog.hpp"
#include "../storage_roots.hpp"
#include "field_spec.hpp"

namespace mw::vm {

class HostInfo;
class VmRuntimeStatus;

// What a kind may consult while validating one device.
struct DeviceContext {
  const VmCatalog& catalog;
  HostInfo& host;
  const StorageRoots& roots;
  const VmRuntimeStatus& runtime;
  const json::object& vm;              // the owning VM's stored fields (with "id", "name")
  const DeviceRecord* old = nullptr;   // the stored device on update
  int64_t device_id = 0;               // 0 on create

  int64_t vm_id() const { return vm.at("id").as_int64(); }
  std::string vm_name() const { return std::string(vm.at("name").as_string()); }
  // The VM's other devices (the one being updated left out).
  std::vector<DeviceRecord> siblings() const;
};

class DeviceKind {
 public:
  virtual ~DeviceKind() = default;
  virtual std::string dtype() const = 0;
  virtual const std::vector<FieldSpec>& fields() const = 0;
  // Order used when none (or 0) is given: CDROM 1000, DISK/RAW 1001, others 1002.
  virtual int64_t default_order() const { return 1002; }
  // Cross-field model rules (pydantic model validators), reported as "Value error, <text>".
  virtual std::vector<std::string> model_rules(const json::object& attrs) const { return {}; }
  // The plugin checks; may complete `attrs` (generated MAC, ports, serial, password).
  virtual void validate(json::object& attrs, const DeviceContext& ctx, ValidationErrors& errors) const = 0;
  // Host side effects once valid, before the commit (RAW files); the returned function undoes
  // them if the commit fails.
  virtual std::function<void()> apply(json::object& attrs, const DeviceRecord* old) const { return {}; }
  // Stored form: what must not be persisted as given (RAW `exists`).
  virtual void before_store(json::object& attrs) const {}
};

// nullptr for an unknown dtype.
const DeviceKind* device_kind(std::string_view dtype);
// Every dtype, in the order error messages list them.
const std::vector<std::string>& device_types();

// Shared by the disk-like kinds.
std::vector<FieldSpec> sector_size_fields();
void check_sector_sizes(const json::object& attrs, ValidationErrors& errors);
void settle_serial(json::object& attrs, const DeviceContext& ctx, ValidationErrors& errors);
// Same path on another DISK/RAW/CDROM of the VM.
bool path_taken(const std::string& path, const DeviceContext& ctx);

std::optional<std::string> string_attr(const json::object& attrs, const char* key);

}  // namespace mw::vm
