#pragma once
// vm.* runtime operations: start/stop/poweroff/reset/restart/suspend/
// resume, status, memory figures, guest interfaces, display devices, and the plugin's start-up
// (re-attach, autostart) and shutdown work. Errors carry the documented texts.
#include <atomic>
#include <cstdint>
#include <thread>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>

#include <middlewared/json.hpp>

#include "runtime_registry.hpp"
#include "vm_state.hpp"

namespace mw {
class Job;
}

namespace mw::vm {

class LifecycleService {
 public:
  LifecycleService(VmState& state, RuntimeRegistry& registry);
  ~LifecycleService();

  void start(int64_t id, bool overcommit);
  void stop(int64_t id, const json::object& options, Job* job);
  // vm.stop as a job that holds no job-pool thread while the guest shuts down: it defers `job`
  // and ends it from the stop thread (docs/THREADS.md).
  void stop_deferred(int64_t id, const json::object& options, Job& job);
  void poweroff(int64_t id);
  void reset(int64_t id);
  void restart(int64_t id, Job* job);
  void suspend(int64_t id);
  void resume(int64_t id);
  json::object status(int64_t id);

  json::value memory_usage(int64_t id);
  json::object vm_memory_info(int64_t id);
  json::object vmemory_in_use();
  std::uint64_t available_memory(bool overcommit);
  json::array guest_network_interfaces(int64_t id);
  json::array display_devices(int64_t id, bool redact);

  // Plugin start: adopt every VM's QEMU left running by an earlier daemon; then start autostart
  // VMs one at a time on a background thread.
  void attach_all();
  void autostart_in_background();
  // Plugin stop: waits for the autostart thread; with `stop_vms`, stops every active VM in
  // parallel (ACPI then power-off after its shutdown_timeout; suspended ones at once).
  void shutdown(bool stop_vms);
  // vm.delete with force: power the VM off first; after the delete, forget its runtime.
  void poweroff_if_active(int64_t id);
  void forget(int64_t id) { registry_.forget(id); }

 private:
  VmConfig require_vm(int64_t id) const;
  StopOptions stop_options(const VmConfig& vm, const json::object& options) const;

  VmState& state_;
  RuntimeRegistry& registry_;
  std::thread autostart_;
  std::atomic<bool> stopping_{false};
  // Where deferred stops wait: one thread, woken by their timers and the VMs' exits; each step is
  // a QMP command at most.
  boost::asio::io_context stop_io_{1};
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> stop_work_{stop_io_.get_executor()};
  std::thread stop_thread_;
};

}  // namespace mw::vm
