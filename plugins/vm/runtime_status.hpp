#pragma once
// What the configuration side needs to know about running VMs. The lifecycle code (hypervisor)
// provides the real implementation later; until then every VM is stopped.
#include <memory>
#include <string>

#include <middlewared/json.hpp>

namespace mw::vm {

class VmRuntimeStatus {
 public:
  virtual ~VmRuntimeStatus() = default;
  // {"state", "pid", "domain_state"}.
  virtual json::object status(int64_t vm_id) const = 0;
  // The same as JSON text, appended to `out`: an answer writes it for every VM it returns.
  virtual void append_status(std::string& out, int64_t vm_id) const;
  // The same as a value allocated from `storage`: a query filtering on the status makes one per VM,
  // all from one arena freed with the query.
  virtual json::value status_value(int64_t vm_id, json::storage_ptr storage) const;
  // RUNNING or SUSPENDED.
  virtual bool active(int64_t vm_id) const = 0;
};

// Nothing runs yet: {"state":"STOPPED","pid":null,"domain_state":null} for every VM.
class NeverStartedRuntime final : public VmRuntimeStatus {
 public:
  json::object status(int64_t vm_id) const override;
  bool active(int64_t vm_id) const override { return false; }
};

}  // namespace mw::vm
