#pragma once
// The runtime state machine of one VM: the single writer of its state.
// Lifecycle operations take turns (one at a time per VM, in arrival order); the state mutex is
// only ever held for a few assignments, never across a QMP command or a wait, so status queries
// and hypervisor events are never blocked by a slow operation. Every visible change (state, pid,
// domain_state) is reported through `notify` right after it happens, outside any lock.
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <exception>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include <boost/asio/any_io_executor.hpp>

#include <middlewared/json.hpp>

#include "hypervisor/hypervisor.hpp"

namespace spdlog {
class logger;
}

namespace mw {
class Job;
}

namespace mw::vm {

struct RuntimeSnapshot {
  std::string state = "STOPPED";            // STOPPED STARTING RUNNING SUSPENDED STOPPING ERROR
  std::optional<int> pid;                   // while a QEMU process is alive
  std::optional<std::string> domain_state;  // libvirt name; null until the VM ever ran
  std::string error;                        // why it is in ERROR
  bool operator==(const RuntimeSnapshot&) const = default;
  // {"state","pid","domain_state"}, plus "error" in ERROR; allocated from `storage`.
  json::object to_json(json::storage_ptr storage = {}) const;
  // The bytes serialising to_json() gives, written without building the object.
  void append_json(std::string& out) const;
};

struct StopOptions {
  bool force = false;                // power off at once
  bool force_after_timeout = false;  // power off when the guest ignored the button
  std::chrono::seconds timeout{90};  // shutdown_timeout
  std::chrono::milliseconds press_interval{1000};
};

class VmRuntime : public std::enable_shared_from_this<VmRuntime> {
 public:
  using Notify = std::function<void(std::int64_t vm_id)>;
  VmRuntime(std::int64_t id, hypervisor::Hypervisor& hypervisor, Notify notify, std::shared_ptr<spdlog::logger> log);

  RuntimeSnapshot snapshot() const;
  // A QEMU process is alive (RUNNING, SUSPENDED, STOPPING, or ERROR with a live process).
  bool active() const;
  // The domain while its process is alive, for read-only queries (balloon, metrics, agent).
  std::shared_ptr<hypervisor::Domain> live_domain() const;
  // True once the VM was started or attached at least once by this daemon run.
  bool ever_ran() const;

  // Each operation below takes its turn first. Errors are CallErrors with the documented texts.
  // `precheck` runs inside the turn, before anything is launched (memory check).
  void start(const VmConfig& vm, const std::vector<DeviceConfig>& devices, const std::function<void()>& precheck = {});
  // After a daemon restart: adopt the VM's QEMU if it still runs. Returns true when attached.
  bool attach(const VmConfig& vm);
  // Blocks the calling thread until the stop is over (vm.restart, shutdown).
  void stop(const std::string& name, const StopOptions& options, Job* job = nullptr);
  // The same stop without holding a thread while the guest shuts down: presses the power button,
  // then waits on a timer of `executor` (one thread, or a strand), woken early when the guest
  // exits or a power-off is asked; `done` hears the outcome (null: stopped), on `executor` or,
  // when the stop ends at once, before this returns. Errors before the wait starts (not active)
  // are thrown. `job`, when set, must stay valid until `done`.
  void stop_async(const std::string& name, const StopOptions& options, Job* job, boost::asio::any_io_executor executor,
                  std::function<void(std::exception_ptr)> done);
  // Also cuts short a graceful stop that is under way.
  void poweroff(const std::string& name);
  void reset(const std::string& name);
  void suspend(const std::string& name);
  void resume(const std::string& name);

 private:
  class Turn;
  class StopOperation;
  enum class Transition { None, Starting, Stopping };
  // Wakes whoever waits for a change: threads on changed_ and a stop under way.
  void wake();

  RuntimeSnapshot snapshot_locked() const;
  // Follows `domain`'s events from now on (older domains' events are dropped) and returns its state.
  hypervisor::DomainState watch(hypervisor::Domain& domain);
  void on_domain_event(std::uint64_t generation, const hypervisor::DomainEvent& event);
  // Applies `change` under the state lock, then notifies if the snapshot changed.
  void update(const std::function<void()>& change);
  std::shared_ptr<hypervisor::Domain> require_active(const std::string& name) const;
  void power_off_domain(const std::shared_ptr<hypervisor::Domain>& domain);

  const std::int64_t id_;
  hypervisor::Hypervisor& hypervisor_;
  Notify notify_;
  std::shared_ptr<spdlog::logger> log_;

  mutable std::mutex mutex_;
  std::condition_variable changed_;  // exits, turn hand-over, force requests
  bool busy_ = false;                // an operation has the turn
  std::uint64_t next_ticket_ = 0, serving_ = 0;
  Transition transition_ = Transition::None;
  bool force_requested_ = false;  // poweroff asked during a graceful stop
  std::shared_ptr<hypervisor::Domain> domain_;
  std::uint64_t generation_ = 0;  // which domain events belong to
  int pid_ = 0;
  bool exited_ = false;
  bool crashed_ = false;
  hypervisor::DomainState domain_state_ = hypervisor::DomainState::NOSTATE;
  bool ever_ran_ = false;
  std::string error_;
  RuntimeSnapshot last_published_;
  std::function<void()> stop_waker_;  // set while a stop waits; called with mutex_ held (it only posts)
};

}  // namespace mw::vm
