#pragma once
// An in-memory Hypervisor for fast tests of code built on the interface (VmRuntime, vm.* methods).
// Domains behave like QEMU's as seen through QMP: events are delivered synchronously on the
// calling thread, in the order QEMU sends them. Test controls: fail the next start, make guests
// ignore the power button, crash or kill a domain from outside.
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "hypervisor/hypervisor.hpp"

namespace mw::testing {

class FakeDomain;

class FakeHypervisor : public vm::hypervisor::Hypervisor {
 public:
  std::shared_ptr<vm::hypervisor::Domain> start(const vm::VmConfig& vm,
                                                const std::vector<vm::DeviceConfig>& devices) override;
  std::shared_ptr<vm::hypervisor::Domain> attach(const vm::VmConfig& vm) override;
  // <nvram_dir>/<id>_<name>_VARS.fd when nvram_dir is set, as QEMU's hypervisor names them.
  std::vector<std::string> named_state_files(std::int64_t id, const std::string& name) const override;
  std::string nvram_dir;

  // The next start() throws HypervisorError(message) once.
  void fail_next_start(std::string message);
  // Guests started from now on ignore (false) or obey (true, default) the ACPI power button.
  void set_guests_obey_acpi(bool obey);
  // The running domain of a VM (by uuid), or nullptr.
  std::shared_ptr<FakeDomain> domain(const std::string& uuid);
  // How many times start() launched something.
  int starts() const;

 private:
  mutable std::mutex mutex_;
  std::map<std::string, std::shared_ptr<FakeDomain>> running_;
  std::string next_start_error_;
  bool obey_acpi_ = true;
  int starts_ = 0;
  int next_pid_ = 40000;
};

class FakeDomain : public vm::hypervisor::Domain {
 public:
  FakeDomain(int pid, std::uint64_t memory_bytes, int vcpus, bool obeys_acpi);

  int pid() const override { return pid_; }
  bool alive() const override;
  vm::hypervisor::DomainState query_status() override;
  void powerdown() override;
  void poweroff() override;
  void reset() override;
  void pause() override;
  void resume() override;
  std::uint64_t balloon_actual() override;
  void set_balloon(std::uint64_t bytes) override;
  std::vector<vm::hypervisor::VcpuThread> vcpu_threads() override;
  void pin_vcpus(const std::string& cpuset) override;
  void on_state_change(std::function<void(const vm::hypervisor::DomainEvent&)> callback) override;
  json::value guest_agent_command(const json::value& request, std::chrono::milliseconds timeout) override;
  bool wait_exit(std::chrono::milliseconds timeout) override;

  // Outside interference: QEMU killed by a signal (CRASHED), or the guest panicking.
  void kill_from_outside(int signal);
  void guest_panic();
  // QEMU gave up on the guest but its process stays (panic=pause, or a KVM internal error): it
  // reports why with the event, as the real domain does.
  void guest_fails(std::string reason);
  std::string pinned_cpuset() const;

 private:
  void emit(vm::hypervisor::DomainEvent event);
  void finish(std::optional<int> code, std::optional<int> signal, bool clean, std::string reason);
  void require_alive() const;

  mutable std::mutex mutex_;
  int pid_;
  std::uint64_t memory_;
  std::uint64_t balloon_;
  int vcpus_;
  bool obeys_acpi_;
  vm::hypervisor::DomainState state_ = vm::hypervisor::DomainState::RUNNING;
  bool exited_ = false;
  std::string pinned_;
  std::vector<std::function<void(const vm::hypervisor::DomainEvent&)>> callbacks_;
};

}  // namespace mw::testing
