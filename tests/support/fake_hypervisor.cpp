#include "fake_hypervisor.hpp"

#include <algorithm>
#include <optional>

namespace mw::testing {

using vm::hypervisor::DomainEvent;
using vm::hypervisor::DomainState;
using vm::hypervisor::HypervisorError;

namespace {

std::string uuid_of(const vm::VmConfig& vm) {
  if (!vm.uuid) throw HypervisorError("VM has no uuid");
  return *vm.uuid;
}

}  // namespace

std::shared_ptr<vm::hypervisor::Domain> FakeHypervisor::start(const vm::VmConfig& vm,
                                                              const std::vector<vm::DeviceConfig>&) {
  std::lock_guard lock(mutex_);
  const auto uuid = uuid_of(vm);
  if (auto it = running_.find(uuid); it != running_.end() && it->second->alive()) {
    throw HypervisorError("VM is already running (QEMU pid " + std::to_string(it->second->pid()) + ")");
  }
  if (!next_start_error_.empty()) {
    throw HypervisorError(std::exchange(next_start_error_, {}));
  }
  ++starts_;
  const int vcpus = static_cast<int>(vm.vcpus * vm.cores * vm.threads);
  auto domain =
      std::make_shared<FakeDomain>(next_pid_++, static_cast<std::uint64_t>(vm.memory) << 20, vcpus, obey_acpi_);
  running_[uuid] = domain;
  return domain;
}

std::vector<std::string> FakeHypervisor::named_state_files(std::int64_t id, const std::string& name) const {
  if (nvram_dir.empty()) return {};
  return {nvram_dir + "/" + std::to_string(id) + "_" + name + "_VARS.fd"};
}

std::shared_ptr<vm::hypervisor::Domain> FakeHypervisor::attach(const vm::VmConfig& vm) {
  std::lock_guard lock(mutex_);
  auto it = running_.find(uuid_of(vm));
  if (it == running_.end() || !it->second->alive()) return nullptr;
  return it->second;
}

void FakeHypervisor::fail_next_start(std::string message) {
  std::lock_guard lock(mutex_);
  next_start_error_ = std::move(message);
}

void FakeHypervisor::set_guests_obey_acpi(bool obey) {
  std::lock_guard lock(mutex_);
  obey_acpi_ = obey;
}

std::shared_ptr<FakeDomain> FakeHypervisor::domain(const std::string& uuid) {
  std::lock_guard lock(mutex_);
  auto it = running_.find(uuid);
  return it != running_.end() && it->second->alive() ? it->second : nullptr;
}

int FakeHypervisor::starts() const {
  std::lock_guard lock(mutex_);
  return starts_;
}

FakeDomain::FakeDomain(int pid, std::uint64_t memory_bytes, int vcpus, bool obeys_acpi)
    : pid_(pid), memory_(memory_bytes), balloon_(memory_bytes), vcpus_(vcpus), obeys_acpi_(obeys_acpi) {}

bool FakeDomain::alive() const {
  std::lock_guard lock(mutex_);
  return !exited_;
}

void FakeDomain::require_alive() const {
  if (!alive()) throw HypervisorError("Domain is not running");
}

DomainState FakeDomain::query_status() {
  std::lock_guard lock(mutex_);
  return state_;
}

void FakeDomain::emit(DomainEvent event) {
  std::vector<std::function<void(const DomainEvent&)>> callbacks;
  {
    std::lock_guard lock(mutex_);
    if (event.state == DomainState::NOSTATE) event.state = state_;
    callbacks = callbacks_;
  }
  for (auto& cb : callbacks) cb(event);
}

void FakeDomain::finish(std::optional<int> code, std::optional<int> signal, bool clean, std::string reason) {
  {
    std::lock_guard lock(mutex_);
    if (exited_) return;
    exited_ = true;
    state_ = clean ? DomainState::SHUTOFF : DomainState::CRASHED;
  }
  emit({"EXIT", nullptr, std::move(reason), DomainState::NOSTATE, code, signal,
        clean ? "" : "qemu-system-x86_64: terminated"});
}

void FakeDomain::powerdown() {
  require_alive();
  emit({"POWERDOWN", nullptr, {}, DomainState::NOSTATE, {}, {}, {}});
  if (!obeys_acpi_) return;
  {
    std::lock_guard lock(mutex_);
    state_ = DomainState::SHUTDOWN;
  }
  emit({"SHUTDOWN",
        json::object{{"guest", true}, {"reason", "guest-shutdown"}},
        "guest-shutdown",
        DomainState::NOSTATE,
        {},
        {},
        {}});
  finish(0, std::nullopt, true, "shutdown (guest-shutdown)");
}

void FakeDomain::poweroff() {
  if (!alive()) return;
  {
    std::lock_guard lock(mutex_);
    state_ = DomainState::SHUTDOWN;
  }
  emit({"SHUTDOWN",
        json::object{{"guest", false}, {"reason", "host-qmp-quit"}},
        "host-qmp-quit",
        DomainState::NOSTATE,
        {},
        {},
        {}});
  finish(0, std::nullopt, true, "shutdown (host-qmp-quit)");
}

void FakeDomain::reset() {
  require_alive();
  emit({"RESET",
        json::object{{"guest", false}, {"reason", "host-qmp-system-reset"}},
        "host-qmp-system-reset",
        DomainState::NOSTATE,
        {},
        {},
        {}});
}

void FakeDomain::pause() {
  require_alive();
  {
    std::lock_guard lock(mutex_);
    state_ = DomainState::PAUSED;
  }
  emit({"STOP", nullptr, {}, DomainState::NOSTATE, {}, {}, {}});
}

void FakeDomain::resume() {
  require_alive();
  {
    std::lock_guard lock(mutex_);
    state_ = DomainState::RUNNING;
  }
  emit({"RESUME", nullptr, {}, DomainState::NOSTATE, {}, {}, {}});
}

std::uint64_t FakeDomain::balloon_actual() {
  require_alive();
  std::lock_guard lock(mutex_);
  return balloon_;
}

void FakeDomain::set_balloon(std::uint64_t bytes) {
  require_alive();
  {
    std::lock_guard lock(mutex_);
    balloon_ = std::min(bytes, memory_);
  }
  emit({"BALLOON_CHANGE", json::object{{"actual", balloon_actual()}}, {}, DomainState::NOSTATE, {}, {}, {}});
}

std::vector<vm::hypervisor::VcpuThread> FakeDomain::vcpu_threads() {
  require_alive();
  std::vector<vm::hypervisor::VcpuThread> out;
  for (int i = 0; i < vcpus_; ++i) out.push_back({i, pid_ + 1 + i});
  return out;
}

void FakeDomain::pin_vcpus(const std::string& cpuset) {
  require_alive();
  std::lock_guard lock(mutex_);
  pinned_ = cpuset;
}

std::string FakeDomain::pinned_cpuset() const {
  std::lock_guard lock(mutex_);
  return pinned_;
}

void FakeDomain::on_state_change(std::function<void(const DomainEvent&)> callback) {
  std::lock_guard lock(mutex_);
  callbacks_.push_back(std::move(callback));
}

json::value FakeDomain::guest_agent_command(const json::value&, std::chrono::milliseconds) {
  require_alive();
  throw HypervisorError("guest agent did not answer (is qemu-guest-agent running in the guest?)");
}

bool FakeDomain::wait_exit(std::chrono::milliseconds) { return !alive(); }

void FakeDomain::kill_from_outside(int signal) {
  finish(std::nullopt, signal, false, "killed by signal " + std::to_string(signal));
}

void FakeDomain::guest_panic() {
  {
    std::lock_guard lock(mutex_);
    state_ = DomainState::CRASHED;
  }
  emit({"GUEST_PANICKED", json::object{{"action", "poweroff"}}, {}, DomainState::NOSTATE, {}, {}, {}});
  finish(0, std::nullopt, false, "guest panicked");
}

void FakeDomain::guest_fails(std::string reason) {
  {
    std::lock_guard lock(mutex_);
    state_ = DomainState::CRASHED;
  }
  emit({"STOP", nullptr, std::move(reason), DomainState::CRASHED, {}, {}, {}});
}

}  // namespace mw::testing
