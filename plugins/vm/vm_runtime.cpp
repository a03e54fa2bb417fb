#include "vm_runtime.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>

#include <spdlog/spdlog.h>

#include <middlewared/errors.hpp>
#include <middlewared/job.hpp>

#include "model/record_text.hpp"

namespace mw::vm {

using hypervisor::DomainState;
using hypervisor::HypervisorError;

json::object RuntimeSnapshot::to_json(json::storage_ptr storage) const {
  json::object o({{"state", state}, {"pid", nullptr}, {"domain_state", nullptr}}, std::move(storage));
  if (pid) o["pid"] = *pid;
  if (domain_state) o["domain_state"] = *domain_state;
  if (state == "ERROR" && !error.empty()) o["error"] = error;  // our extension: docs/COMPATIBILITY.md
  return o;
}

void RuntimeSnapshot::append_json(std::string& out) const {
  out += "{\"state\":";
  model::append_text(out, state);
  out += ",\"pid\":";
  if (pid)
    model::append_text(out, static_cast<std::int64_t>(*pid));
  else
    out += "null";
  out += ",\"domain_state\":";
  if (domain_state)
    model::append_text(out, *domain_state);
  else
    out += "null";
  if (state == "ERROR" && !error.empty()) {
    out += ",\"error\":";
    model::append_text(out, error);
  }
  out += '}';
}

// FIFO turns: operations on one VM run one after the other, in arrival order, without any lock
// held while they run.
class VmRuntime::Turn {
 public:
  explicit Turn(VmRuntime& r) : r_(r) {
    std::unique_lock lock(r_.mutex_);
    const auto ticket = r_.next_ticket_++;
    r_.changed_.wait(lock, [&] { return r_.serving_ == ticket; });
  }
  ~Turn() {
    {
      std::lock_guard lock(r_.mutex_);
      ++r_.serving_;
    }
    r_.changed_.notify_all();
  }
  Turn(const Turn&) = delete;
  Turn& operator=(const Turn&) = delete;

 private:
  VmRuntime& r_;
};

VmRuntime::VmRuntime(std::int64_t id, hypervisor::Hypervisor& hypervisor, Notify notify,
                     std::shared_ptr<spdlog::logger> log)
    : id_(id),
      hypervisor_(hypervisor),
      notify_(std::move(notify)),
      log_(log ? std::move(log) : spdlog::default_logger()) {}

RuntimeSnapshot VmRuntime::snapshot() const {
  std::lock_guard lock(mutex_);
  return snapshot_locked();
}

RuntimeSnapshot VmRuntime::snapshot_locked() const {
  RuntimeSnapshot s;
  const bool alive = domain_ && !exited_;
  if (alive) s.pid = pid_;
  if (domain_ || ever_ran_ || !error_.empty()) s.domain_state = hypervisor::to_string(domain_state_);
  s.error = error_;
  if (transition_ == Transition::Starting) {
    s.state = "STARTING";
  } else if (transition_ == Transition::Stopping && alive) {
    s.state = "STOPPING";
  } else if (!alive) {
    s.state = crashed_ ? "ERROR" : "STOPPED";
    if (!ever_ran_ && error_.empty()) s.domain_state.reset();
  } else {
    switch (domain_state_) {
      case DomainState::PAUSED:
      case DomainState::PMSUSPENDED:
        s.state = "SUSPENDED";
        break;
      case DomainState::CRASHED:
        s.state = "ERROR";
        break;
      case DomainState::SHUTDOWN:
        s.state = "STOPPING";
        break;  // guest is off, QEMU is exiting
      default:
        s.state = "RUNNING";
        break;
    }
  }
  return s;
}

bool VmRuntime::active() const {
  std::lock_guard lock(mutex_);
  return domain_ && !exited_;
}

bool VmRuntime::ever_ran() const {
  std::lock_guard lock(mutex_);
  return ever_ran_;
}

std::shared_ptr<hypervisor::Domain> VmRuntime::live_domain() const {
  std::lock_guard lock(mutex_);
  return domain_ && !exited_ ? domain_ : nullptr;
}

void VmRuntime::update(const std::function<void()>& change) {
  bool publish = false;
  {
    std::lock_guard lock(mutex_);
    change();
    auto now = snapshot_locked();
    if (!(now == last_published_)) {
      last_published_ = now;
      publish = true;
    }
  }
  wake();
  if (publish && notify_) notify_(id_);
}

void VmRuntime::on_domain_event(std::uint64_t generation, const hypervisor::DomainEvent& event) {
  update([&] {
    if (generation != generation_) return;  // an earlier run's late event
    if (event.event == "EXIT") {
      exited_ = true;
      domain_state_ = event.state;
      crashed_ = event.state == DomainState::CRASHED;
      if (crashed_) {
        error_ = "QEMU " + event.reason + (event.log_tail.empty() ? std::string() : ": " + event.log_tail);
        log_->warn("vm {}: {}", id_, error_);
      }
      return;
    }
    if (event.state == DomainState::CRASHED && domain_state_ != DomainState::CRASHED) {
      error_ = event.reason + (event.log_tail.empty() ? std::string() : ": " + event.log_tail);
      log_->warn("vm {}: {}", id_, error_);
    } else if (event.state != DomainState::CRASHED) {
      error_.clear();  // reset out of a failure
    }
    domain_state_ = event.state;
  });
}

std::shared_ptr<hypervisor::Domain> VmRuntime::require_active(const std::string& name) const {
  std::lock_guard lock(mutex_);
  if (domain_ && !exited_) return domain_;
  if (!ever_ran_) throw CallError("Domain '" + name + "' does not exist", EINVAL);
  throw CallError("Domain '" + name + "' is not active", EINVAL);
}

void VmRuntime::start(const VmConfig& vm, const std::vector<DeviceConfig>& devices,
                      const std::function<void()>& precheck) {
  Turn turn(*this);
  const std::string& name = vm.name;
  if (active()) throw CallError("VM '" + name + "' is already running", EFAULT);
  if (precheck) precheck();
  update([&] { transition_ = Transition::Starting; });
  std::shared_ptr<hypervisor::Domain> domain;
  try {
    domain = hypervisor_.start(vm, devices);
  } catch (const HypervisorError& e) {
    update([&] { transition_ = Transition::None; });
    throw CallError(e.what(), EFAULT);
  }
  const DomainState state = watch(*domain);
  update([&] {
    domain_ = domain;
    pid_ = domain->pid();
    exited_ = !domain->alive();
    crashed_ = false;
    error_.clear();
    ever_ran_ = true;
    if (!exited_) domain_state_ = state;
    if (!exited_ && state == DomainState::CRASHED) error_ = "QEMU stopped the guest as soon as it started";
    transition_ = Transition::None;
  });
  log_->info("vm {}: started (QEMU pid {}, accelerator {})", name, domain->pid(),
             hypervisor_.accelerator() == "kvm" ? "KVM" : "TCG");
  if (vm.pin_vcpus) {
    if (vm.cpuset && !vm.cpuset->empty()) {
      try {
        domain->pin_vcpus(*vm.cpuset);
      } catch (const HypervisorError& e) {
        log_->warn("vm {}: cannot pin vCPUs: {}", name, e.what());
      }
    }
  }
}

DomainState VmRuntime::watch(hypervisor::Domain& domain) {
  std::uint64_t generation;
  {
    std::lock_guard lock(mutex_);
    generation = ++generation_;  // events of an earlier domain are ignored from now on
  }
  std::weak_ptr<VmRuntime> weak = weak_from_this();
  domain.on_state_change([weak, generation](const hypervisor::DomainEvent& e) {
    if (auto self = weak.lock()) self->on_domain_event(generation, e);
  });
  // Events that happened before anyone listened are lost: ask for the true state now. If the
  // domain died already, its EXIT event tells the rest.
  try {
    return domain.query_status();
  } catch (const HypervisorError&) {
    return DomainState::RUNNING;
  }
}

bool VmRuntime::attach(const VmConfig& vm) {
  Turn turn(*this);
  const std::string& name = vm.name;
  std::string lost;
  std::shared_ptr<hypervisor::Domain> domain;
  try {
    domain = hypervisor_.reattach(vm, lost);
  } catch (const HypervisorError& e) {
    lost = e.what();
  }
  if (!domain) {
    if (!lost.empty()) {
      log_->warn("vm {}: {}", name, lost);
      update([&] {
        crashed_ = true;
        domain_state_ = DomainState::CRASHED;
        error_ = lost;
      });
    }
    return false;
  }
  const DomainState state = watch(*domain);
  update([&] {
    domain_ = domain;
    pid_ = domain->pid();
    exited_ = !domain->alive();
    ever_ran_ = true;
    domain_state_ = exited_ ? DomainState::SHUTOFF : state;
    if (domain_state_ == DomainState::CRASHED) error_ = "QEMU had stopped the guest (found at re-attach)";
  });
  return true;
}

void VmRuntime::power_off_domain(const std::shared_ptr<hypervisor::Domain>& domain) {
  try {
    domain->poweroff();
  } catch (const HypervisorError& e) {
    throw CallError(e.what(), EFAULT);
  }
  // poweroff() returns after the exit; the EXIT event may still be on its way.
  update([&] {
    if (domain_ != domain) return;
    exited_ = true;
    crashed_ = false;
    domain_state_ = DomainState::SHUTOFF;
  });
}

// One graceful stop: press the power button every press_interval until the guest is gone, the
// timeout passes, a power-off is asked or the job is aborted; then power off when that was asked.
// Every step runs on `executor_`; between steps no thread is held. It holds the VM's turn.
class VmRuntime::StopOperation : public std::enable_shared_from_this<StopOperation> {
 public:
  StopOperation(std::shared_ptr<VmRuntime> runtime, std::shared_ptr<Turn> turn,
                std::shared_ptr<hypervisor::Domain> domain, std::string name, const StopOptions& options, Job* job,
                boost::asio::any_io_executor executor, std::function<void(std::exception_ptr)> done)
      : r_(std::move(runtime)),
        turn_(std::move(turn)),
        domain_(std::move(domain)),
        name_(std::move(name)),
        options_(options),
        job_(job),
        deadline_(std::chrono::steady_clock::now() + options.timeout),
        timer_(executor),
        done_(std::move(done)) {}

  void begin() {
    if (std::chrono::steady_clock::now() >= deadline_) return end(false);
    press_and_wait();
  }

  // A change of the runtime: look at once (the timer's wait is cut short).
  void wake() { timer_.cancel(); }

 private:
  void press_and_wait() {
    try {
      domain_->powerdown();
    } catch (const HypervisorError& e) {
      if (!domain_->alive()) return end(false);
      r_->log_->debug("vm {}: power button: {}", name_, e.what());
    }
    wait_until(std::min(deadline_, std::chrono::steady_clock::now() + options_.press_interval));
  }

  void wait_until(std::chrono::steady_clock::time_point when) {
    timer_.expires_at(when);
    timer_.async_wait([self = shared_from_this()](const boost::system::error_code& ec) {
      self->step(ec != boost::asio::error::operation_aborted);
    });
  }

  void step(bool interval_over) {
    try {
      bool gone, forced;
      {
        std::lock_guard lock(r_->mutex_);
        gone = r_->exited_ || r_->domain_ != domain_;
        forced = r_->force_requested_;
      }
      if (gone) return end(false);
      if (forced) return end(true);
      if (!interval_over) return wait_until(timer_.expiry());  // woken by another change
      if (job_) {
        const auto left =
            std::chrono::duration_cast<std::chrono::seconds>(deadline_ - std::chrono::steady_clock::now());
        const auto total = options_.timeout.count() ? options_.timeout.count() : 1;
        job_->set_progress(static_cast<int>(100 * (total - left.count()) / total),
                           "Waiting for " + name_ + " to shut down");
        if (job_->abort_requested()) return end(false);
      }
      if (std::chrono::steady_clock::now() >= deadline_) return end(false);
      press_and_wait();
    } catch (...) {
      finish(std::current_exception());
    }
  }

  void end(bool forced) {
    try {
      if (domain_->alive() && (forced || options_.force_after_timeout)) {
        r_->log_->info("vm {}: guest did not shut down{}; powering off", name_,
                       forced ? " before poweroff was asked" : " in time");
        r_->power_off_domain(domain_);
      }
      finish(nullptr);
    } catch (...) {
      finish(std::current_exception());
    }
  }

  void finish(std::exception_ptr error) {
    {
      std::lock_guard lock(r_->mutex_);
      r_->stop_waker_ = nullptr;  // no wake-up is posted after this
    }
    r_->update([&] { r_->transition_ = Transition::None; });
    turn_.reset();  // the next operation on this VM may go
    auto done = std::move(done_);
    done(error);
  }

  std::shared_ptr<VmRuntime> r_;
  std::shared_ptr<Turn> turn_;
  std::shared_ptr<hypervisor::Domain> domain_;
  std::string name_;
  StopOptions options_;
  Job* job_;
  std::chrono::steady_clock::time_point deadline_;
  boost::asio::steady_timer timer_;
  std::function<void(std::exception_ptr)> done_;
};

void VmRuntime::stop(const std::string& name, const StopOptions& options, Job* job) {
  // The same steps as stop_async, run on this thread.
  boost::asio::io_context here(1);
  std::exception_ptr error;
  stop_async(name, options, job, here.get_executor(), [&error](std::exception_ptr e) { error = std::move(e); });
  here.run();
  if (error) std::rethrow_exception(error);
}

void VmRuntime::stop_async(const std::string& name, const StopOptions& options, Job* job,
                           boost::asio::any_io_executor executor, std::function<void(std::exception_ptr)> done) {
  auto turn = std::make_shared<Turn>(*this);
  auto domain = require_active(name);
  if (options.force) {
    power_off_domain(domain);
    turn.reset();
    return done(nullptr);
  }
  update([&] {
    transition_ = Transition::Stopping;
    force_requested_ = false;
  });
  auto op = std::make_shared<StopOperation>(shared_from_this(), std::move(turn), std::move(domain), name, options, job,
                                            executor, std::move(done));
  {
    std::lock_guard lock(mutex_);
    stop_waker_ = [op, executor] { boost::asio::post(executor, [op] { op->wake(); }); };
  }
  boost::asio::post(executor, [op] { op->begin(); });
}

void VmRuntime::wake() {
  std::lock_guard lock(mutex_);
  changed_.notify_all();
  if (stop_waker_) stop_waker_();
}

void VmRuntime::poweroff(const std::string& name) {
  bool cut_short = false;
  {
    std::lock_guard lock(mutex_);
    if (transition_ == Transition::Stopping) {
      force_requested_ = true;
      cut_short = true;
    }
  }
  wake();
  Turn turn(*this);
  // The graceful stop we cut short has powered the VM off already.
  if (cut_short && !active() && ever_ran()) return;
  power_off_domain(require_active(name));
}

void VmRuntime::reset(const std::string& name) {
  Turn turn(*this);
  auto domain = require_active(name);
  try {
    domain->reset();
  } catch (const HypervisorError& e) {
    throw CallError(e.what(), EFAULT);
  }
}

void VmRuntime::suspend(const std::string& name) {
  Turn turn(*this);
  auto domain = require_active(name);
  try {
    domain->pause();
  } catch (const HypervisorError& e) {
    throw CallError(e.what(), EFAULT);
  }
  update([&] {
    if (domain_ == domain && !exited_) domain_state_ = DomainState::PAUSED;
  });
}

void VmRuntime::resume(const std::string& name) {
  Turn turn(*this);
  auto domain = require_active(name);
  {
    std::lock_guard lock(mutex_);
    if (domain_state_ != DomainState::PAUSED && domain_state_ != DomainState::PMSUSPENDED)
      throw CallError("Domain '" + name + "' is not suspended", EINVAL);
  }
  try {
    domain->resume();
  } catch (const HypervisorError& e) {
    throw CallError(e.what(), EFAULT);
  }
  update([&] {
    if (domain_ == domain && !exited_) domain_state_ = DomainState::RUNNING;
  });
}

}  // namespace mw::vm
