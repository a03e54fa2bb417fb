#pragma once
// The hypervisor seen by the vm plugin: start or re-attach a VM's domain, then control it.
// Holds no per-VM state machine (VmRuntime does); every call is synchronous and meant for worker
// threads. Errors are thrown as HypervisorError with a text fit for a CallError.
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include <middlewared/json.hpp>

#include "model/device_config.hpp"
#include "model/vm_config.hpp"

namespace mw::vm::hypervisor {

// libvirt's domain state names.
enum class DomainState { NOSTATE, RUNNING, BLOCKED, PAUSED, SHUTDOWN, SHUTOFF, CRASHED, PMSUSPENDED };
const char* to_string(DomainState state);

class HypervisorError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// One thing that happened to a domain: a QMP event, or the end of its process.
struct DomainEvent {
  std::string event;             // QMP event name ("STOP", "SHUTDOWN", ...) or "EXIT"
  json::value data;              // the event's "data" (null when it has none)
  std::string reason;            // SHUTDOWN/RESET reason; for EXIT a human description
  DomainState state;             // the domain state this event implies (or the last known one)
  std::optional<int> exit_code;  // EXIT of our own child that exited normally
  std::optional<int> signal;     // EXIT of our own child killed by a signal
  std::string log_tail;          // EXIT: last lines of the QEMU log when the exit was not clean
};

struct VcpuThread {
  int cpu_index;
  int thread_id;
};

class Domain {
 public:
  virtual ~Domain() = default;
  virtual int pid() const = 0;
  // False once the QEMU process has exited.
  virtual bool alive() const = 0;
  virtual DomainState query_status() = 0;
  virtual void powerdown() = 0;  // ACPI power button; the guest decides
  // quit, then SIGKILL after a short grace time; returns after the exit, which is reported as
  // SHUTOFF either way.
  virtual void poweroff() = 0;
  virtual void reset() = 0;
  virtual void pause() = 0;
  virtual void resume() = 0;
  virtual std::uint64_t balloon_actual() = 0;  // bytes the guest currently has
  virtual void set_balloon(std::uint64_t bytes) = 0;
  virtual std::vector<VcpuThread> vcpu_threads() = 0;
  // Pins vCPU i to the i-th CPU of `cpuset` ("0-3,6"); throws when the counts differ.
  virtual void pin_vcpus(const std::string& cpuset) = 0;
  // Events come on the hypervisor's I/O thread: keep the callback short, never block in it.
  virtual void on_state_change(std::function<void(const DomainEvent&)> callback) = 0;
  // A raw guest-agent request ({"execute":..., "arguments":...}); returns its "return" value.
  virtual json::value guest_agent_command(const json::value& request, std::chrono::milliseconds timeout) = 0;
  // Blocks until the process has exited or the timeout passed; true when it exited.
  virtual bool wait_exit(std::chrono::milliseconds timeout) = 0;
  // Any other QMP command (e.g. query-blockstats for metrics); returns its "return" value.
  virtual json::value monitor_command(const std::string& name, const json::object& arguments) {
    throw HypervisorError("monitor command " + name + " is not supported");
  }
};

class Hypervisor {
 public:
  virtual ~Hypervisor() = default;
  // Returns once QEMU answers QMP; throws HypervisorError with QEMU's own message when it
  // refuses to start.
  virtual std::shared_ptr<Domain> start(const VmConfig& vm, const std::vector<DeviceConfig>& devices) = 0;
  // The domain of a VM left running by an earlier daemon, or nullptr when nothing runs.
  virtual std::shared_ptr<Domain> attach(const VmConfig& vm) = 0;
  // attach(), and when nothing runs although an earlier run did not end cleanly (QEMU was killed
  // or crashed while the daemon was away), sets `lost_reason` to why, quoting QEMU's log.
  virtual std::shared_ptr<Domain> reattach(const VmConfig& vm, std::string& lost_reason) { return attach(vm); }
  // Of `vms`, the ones attach() and reattach() may have anything to do for at start-up: a QEMU an
  // earlier daemon left running, files one left behind, or paths attach() would refuse. For every
  // other VM they find nothing and change nothing, so start-up skips them. By default all of them.
  virtual std::vector<const VmConfig*> attach_candidates(std::vector<const VmConfig*> vms) const { return vms; }
  // The accelerator VMs get ("kvm" or "tcg") and the emulator's version ("7.2.22"), for logs and /health.
  virtual std::string accelerator() const { return "tcg"; }
  // Why that accelerator was chosen (one line).
  virtual std::string accelerator_reason() const { return {}; }
  virtual std::string version() const { return {}; }
  // Files of a VM's own firmware state named after its id and name (the UEFI variables store),
  // present or not.
  virtual std::vector<std::string> named_state_files(std::int64_t id, const std::string& name) const { return {}; }
};

}  // namespace mw::vm::hypervisor
