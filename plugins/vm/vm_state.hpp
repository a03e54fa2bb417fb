#pragma once
// Everything the vm and vm.device services share: the database, the in-memory view, the host,
// the runtime status, the event bus, and the one lock that serialises writes (validation,
// commit and view update happen under it, so uniqueness checks cannot race).
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include <middlewared/datastore.hpp>
#include <middlewared/events.hpp>
#include <middlewared/json.hpp>
#include <middlewared/schema_check.hpp>

#include "catalog.hpp"
#include "host_info.hpp"
#include "runtime_status.hpp"
#include "storage_roots.hpp"

namespace spdlog {
class logger;
}

namespace mw::vm {

class NewVm;

inline constexpr const char* kVmEvent = "vm.query";
inline constexpr const char* kDeviceEvent = "vm.device.query";
inline constexpr const char* kSecretMask = "********";

struct VmState {
  std::shared_ptr<Datastore> store;
  VmCatalog catalog;
  std::shared_ptr<HostInfo> host;
  std::shared_ptr<VmRuntimeStatus> runtime;
  EventBus* events = nullptr;
  StorageRoots roots;
  std::shared_ptr<spdlog::logger> log;
  std::mutex write_mutex;
  // Under write_mutex: the names of VMs created in the shared transaction under way (NewVm),
  // which the catalog holds only once it committed.
  std::set<std::string> uncommitted_names;
  // Under write_mutex: the creates of the shared transaction under way that committed, put into
  // the catalog together once it ended (NewVm::transaction_finished).
  std::vector<NewVm*> finished_creates;
  // The files of a VM's own firmware state that carry its id and name (UEFI variables), as the
  // hypervisor names them: they follow the VM through a rename, a clone and its deletion.
  std::function<std::vector<std::string>(int64_t id, const std::string& name)> named_state_files;
  // PluginContext::compile_schema.
  std::function<std::shared_ptr<const SchemaCheck>(const std::string& ref)> compile_schema;

  // A schema of the schema files by "<file>#<pointer>", compiled on first use (the daemon
  // compiles its files after the plugins' setup).
  const SchemaCheck& schema(const std::string& ref) const;

  VmState(std::shared_ptr<Datastore> store, std::shared_ptr<HostInfo> host, std::shared_ptr<VmRuntimeStatus> runtime,
          EventBus* events, StorageRoots roots, std::shared_ptr<spdlog::logger> log);

  // Reads every row into the view (at setup).
  void load();
  // entry: stored fields + devices (by order, id) + display_available + status.
  json::object vm_entry(int64_t id) const;
  void publish_vm(EventKind kind, int64_t id);
  void publish_device(EventKind kind, const DeviceConfig& device);

 private:
  mutable std::mutex schemas_mutex_;
  mutable std::map<std::string, std::shared_ptr<const SchemaCheck>> schemas_;
};

// "********" in place of every DISPLAY password.
json::object redact_device_entry(json::object entry);
json::object redact_vm_entry(json::object entry);

}  // namespace mw::vm
