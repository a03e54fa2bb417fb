// The per-VM state machine against the in-memory hypervisor: transitions, the documented
// wrong-state errors, events on every change, and operations that never interleave.
#include <gtest/gtest.h>

#include <atomic>
#include <random>
#include <thread>

#include <boost/json/serialize.hpp>

#include <middlewared/errors.hpp>

#include "support/fake_hypervisor.hpp"
#include "vm_runtime.hpp"

namespace mw::vm::testing {
namespace {

using namespace std::chrono_literals;
using hypervisor::Domain;
using hypervisor::DomainEvent;
using hypervisor::DomainState;

VmConfig vm_entry(const std::string& name, const std::string& uuid) {
  return vm_from_json(json::object{{"id", 1},
                                   {"name", name},
                                   {"uuid", uuid},
                                   {"memory", 64},
                                   {"vcpus", 1},
                                   {"cores", 1},
                                   {"threads", 1},
                                   {"pin_vcpus", false},
                                   {"cpuset", nullptr}});
}

class VmRuntimeTest : public ::testing::Test {
 protected:
  std::shared_ptr<mw::testing::FakeHypervisor> hv = std::make_shared<mw::testing::FakeHypervisor>();
  std::atomic<int> notifications{0};
  std::shared_ptr<VmRuntime> runtime = std::make_shared<VmRuntime>(
      1, *hv, [this](int64_t) { ++notifications; }, nullptr);
  VmConfig vm = vm_entry("alpha", "11111111-2222-4333-8444-555555555555");

  std::string error_of(const std::function<void()>& f) {
    try {
      f();
    } catch (const CallError& e) {
      return "[" + errno_name(e.errnum()) + "] " + e.message();
    }
    return "no error";
  }
};

// An answer writes each VM's status as text: the same bytes as serialising the status object.
TEST(RuntimeSnapshotText, IsWhatSerialisingTheStatusObjectGives) {
  RuntimeSnapshot running;
  running.state = "RUNNING";
  running.pid = 4242;
  running.domain_state = "RUNNING";
  RuntimeSnapshot failed;
  failed.state = "ERROR";
  failed.domain_state = "SHUTOFF";
  failed.error = "qemu said \"no\"\n\x01 é";
  RuntimeSnapshot failed_quietly;
  failed_quietly.state = "ERROR";
  RuntimeSnapshot stopping_with_error;  // an error is shown only in ERROR
  stopping_with_error.state = "STOPPING";
  stopping_with_error.error = "stale";
  for (const RuntimeSnapshot& s : {RuntimeSnapshot{}, running, failed, failed_quietly, stopping_with_error}) {
    std::string text;
    s.append_json(text);
    EXPECT_EQ(text, json::serialize(s.to_json()));
  }
}

TEST_F(VmRuntimeTest, NeverStartedIsStoppedWithoutDomainState) {
  auto s = runtime->snapshot();
  EXPECT_EQ(s.state, "STOPPED");
  EXPECT_FALSE(s.pid);
  EXPECT_FALSE(s.domain_state);
  EXPECT_EQ(error_of([&] { runtime->stop("alpha", {}); }), "[EINVAL] Domain 'alpha' does not exist");
  EXPECT_EQ(error_of([&] { runtime->poweroff("alpha"); }), "[EINVAL] Domain 'alpha' does not exist");
}

TEST_F(VmRuntimeTest, StartGivesRunningWithPidAndPublishesEachChange) {
  runtime->start(vm, {});
  auto s = runtime->snapshot();
  EXPECT_EQ(s.state, "RUNNING");
  ASSERT_TRUE(s.pid);
  EXPECT_EQ(*s.pid, hv->domain("11111111-2222-4333-8444-555555555555")->pid());
  EXPECT_EQ(s.domain_state, "RUNNING");
  EXPECT_GE(notifications.load(), 2);  // STARTING, then RUNNING
  EXPECT_EQ(error_of([&] { runtime->start(vm, {}); }), "[EFAULT] VM 'alpha' is already running");
  EXPECT_EQ(hv->starts(), 1);
}

TEST_F(VmRuntimeTest, SuspendResumeAndTheirWrongStateErrors) {
  runtime->start(vm, {});
  EXPECT_EQ(error_of([&] { runtime->resume("alpha"); }), "[EINVAL] Domain 'alpha' is not suspended");
  const int before = notifications;
  runtime->suspend("alpha");
  EXPECT_EQ(runtime->snapshot().state, "SUSPENDED");
  EXPECT_EQ(runtime->snapshot().domain_state, "PAUSED");
  EXPECT_GT(notifications.load(), before);
  runtime->resume("alpha");
  EXPECT_EQ(runtime->snapshot().state, "RUNNING");
  runtime->poweroff("alpha");
  auto s = runtime->snapshot();
  EXPECT_EQ(s.state, "STOPPED");
  EXPECT_FALSE(s.pid);
  EXPECT_EQ(s.domain_state, "SHUTOFF");
  EXPECT_EQ(error_of([&] { runtime->suspend("alpha"); }), "[EINVAL] Domain 'alpha' is not active");
  EXPECT_EQ(error_of([&] { runtime->reset("alpha"); }), "[EINVAL] Domain 'alpha' is not active");
}

TEST_F(VmRuntimeTest, GracefulStopOfAGuestThatObeysAcpi) {
  runtime->start(vm, {});
  runtime->stop("alpha", StopOptions{false, false, 5s, 50ms});
  EXPECT_EQ(runtime->snapshot().state, "STOPPED");
  EXPECT_EQ(runtime->snapshot().domain_state, "SHUTOFF");
}

TEST_F(VmRuntimeTest, GuestIgnoringAcpiKeepsRunningUnlessForcedAfterTimeout) {
  hv->set_guests_obey_acpi(false);
  runtime->start(vm, {});
  runtime->stop("alpha", StopOptions{false, false, 1s, 50ms});
  EXPECT_EQ(runtime->snapshot().state, "RUNNING");  // the job succeeds, the guest runs on
  runtime->stop("alpha", StopOptions{false, true, 1s, 50ms});
  EXPECT_EQ(runtime->snapshot().state, "STOPPED");
}

TEST_F(VmRuntimeTest, PoweroffCutsAGracefulStopShort) {
  hv->set_guests_obey_acpi(false);
  runtime->start(vm, {});
  std::thread stopper([&] { runtime->stop("alpha", StopOptions{false, false, 60s, 50ms}); });
  const auto deadline = std::chrono::steady_clock::now() + 5s;
  while (runtime->snapshot().state != "STOPPING" && std::chrono::steady_clock::now() < deadline)
    std::this_thread::yield();
  ASSERT_EQ(runtime->snapshot().state, "STOPPING");
  const auto t0 = std::chrono::steady_clock::now();
  runtime->poweroff("alpha");
  stopper.join();
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 5s);
  EXPECT_EQ(runtime->snapshot().state, "STOPPED");
}

TEST_F(VmRuntimeTest, QemuKilledFromOutsideIsErrorAndCanStartAgain) {
  runtime->start(vm, {});
  const int before = notifications;
  hv->domain("11111111-2222-4333-8444-555555555555")->kill_from_outside(9);
  auto s = runtime->snapshot();
  EXPECT_EQ(s.state, "ERROR");
  EXPECT_EQ(s.domain_state, "CRASHED");
  EXPECT_FALSE(s.pid);
  EXPECT_NE(s.error.find("killed by signal 9"), std::string::npos) << s.error;
  EXPECT_GT(notifications.load(), before);
  EXPECT_FALSE(runtime->active());
  runtime->start(vm, {});
  EXPECT_EQ(runtime->snapshot().state, "RUNNING");
  EXPECT_TRUE(runtime->snapshot().error.empty());
}

TEST_F(VmRuntimeTest, GuestQemuGaveUpOnIsErrorWithItsReasonWhileQemuStays) {
  runtime->start(vm, {});
  const int before = notifications;
  hv->domain("11111111-2222-4333-8444-555555555555")->guest_fails("QEMU stopped the guest (run state internal-error)");
  auto s = runtime->snapshot();
  EXPECT_EQ(s.state, "ERROR");
  EXPECT_EQ(s.domain_state, "CRASHED");
  EXPECT_TRUE(s.pid) << "the process is still there";
  EXPECT_EQ(s.error, "QEMU stopped the guest (run state internal-error)");
  EXPECT_EQ(s.to_json().at("error"), "QEMU stopped the guest (run state internal-error)");
  EXPECT_GT(notifications.load(), before) << "the change is published";
  EXPECT_EQ(error_of([&] { runtime->resume("alpha"); }), "[EINVAL] Domain 'alpha' is not suspended");
  runtime->poweroff("alpha");
  EXPECT_EQ(runtime->snapshot().state, "STOPPED");
  EXPECT_FALSE(runtime->snapshot().to_json().contains("error"));
}

TEST_F(VmRuntimeTest, FailedStartReturnsToStoppedWithTheHypervisorText) {
  hv->fail_next_start("QEMU failed to start: bad device");
  EXPECT_EQ(error_of([&] { runtime->start(vm, {}); }), "[EFAULT] QEMU failed to start: bad device");
  EXPECT_EQ(runtime->snapshot().state, "STOPPED");
}

TEST_F(VmRuntimeTest, PrecheckFailureLaunchesNothing) {
  EXPECT_EQ(error_of([&] {
              runtime->start(vm, {}, [] { throw CallError("Cannot guarantee memory for guest alpha", ENOMEM); });
            }),
            "[ENOMEM] Cannot guarantee memory for guest alpha");
  EXPECT_EQ(hv->starts(), 0);
  EXPECT_EQ(runtime->snapshot().state, "STOPPED");
}

TEST_F(VmRuntimeTest, AttachAdoptsARunningDomainAndSyncsItsState) {
  runtime->start(vm, {});
  hv->domain("11111111-2222-4333-8444-555555555555")->pause();
  auto adopted = std::make_shared<VmRuntime>(1, *hv, nullptr, nullptr);  // "after a daemon restart"
  ASSERT_TRUE(adopted->attach(vm));
  EXPECT_EQ(adopted->snapshot().state, "SUSPENDED");
  EXPECT_EQ(adopted->snapshot().pid, runtime->snapshot().pid);
  adopted->resume("alpha");
  EXPECT_EQ(adopted->snapshot().state, "RUNNING");
}

// A hypervisor whose every call takes a little while and counts how many run at once.
class CountingHypervisor : public hypervisor::Hypervisor {
 public:
  std::atomic<int> in_flight{0}, most{0};
  mw::testing::FakeHypervisor inner;

  struct Scope {
    CountingHypervisor& h;
    explicit Scope(CountingHypervisor& c) : h(c) {
      int now = ++h.in_flight;
      int seen = h.most;
      while (now > seen && !h.most.compare_exchange_weak(seen, now)) {
      }
      std::this_thread::sleep_for(1ms);  // simulated QMP round trip
    }
    ~Scope() { --h.in_flight; }
  };

  class CountingDomain : public Domain {
   public:
    CountingDomain(CountingHypervisor& h, std::shared_ptr<Domain> d) : h_(h), d_(std::move(d)) {}
    int pid() const override { return d_->pid(); }
    bool alive() const override { return d_->alive(); }
    DomainState query_status() override { return d_->query_status(); }
    void powerdown() override {
      Scope s(h_);
      d_->powerdown();
    }
    void poweroff() override {
      Scope s(h_);
      d_->poweroff();
    }
    void reset() override {
      Scope s(h_);
      d_->reset();
    }
    void pause() override {
      Scope s(h_);
      d_->pause();
    }
    void resume() override {
      Scope s(h_);
      d_->resume();
    }
    std::uint64_t balloon_actual() override { return d_->balloon_actual(); }
    void set_balloon(std::uint64_t b) override { d_->set_balloon(b); }
    std::vector<hypervisor::VcpuThread> vcpu_threads() override { return d_->vcpu_threads(); }
    void pin_vcpus(const std::string& c) override { d_->pin_vcpus(c); }
    void on_state_change(std::function<void(const DomainEvent&)> cb) override { d_->on_state_change(std::move(cb)); }
    json::value guest_agent_command(const json::value& r, std::chrono::milliseconds t) override {
      return d_->guest_agent_command(r, t);
    }
    bool wait_exit(std::chrono::milliseconds t) override { return d_->wait_exit(t); }

   private:
    CountingHypervisor& h_;
    std::shared_ptr<Domain> d_;
  };

  std::shared_ptr<Domain> start(const VmConfig& vm, const std::vector<DeviceConfig>& devices) override {
    Scope s(*this);
    return std::make_shared<CountingDomain>(*this, inner.start(vm, devices));
  }
  std::shared_ptr<Domain> attach(const VmConfig& vm) override { return inner.attach(vm); }
};

TEST(VmRuntimeConcurrency, OperationsOnOneVmNeverInterleave) {
  CountingHypervisor hv;
  auto runtime = std::make_shared<VmRuntime>(1, hv, nullptr, nullptr);
  const auto vm = vm_entry("busy", "99999999-2222-4333-8444-555555555555");
  std::vector<std::thread> threads;
  std::atomic<int> succeeded{0};
  for (int t = 0; t < 6; ++t) {
    threads.emplace_back([&, t] {
      std::mt19937 rng(t);
      for (int i = 0; i < 25; ++i) {
        try {
          switch (rng() % 5) {
            case 0:
              runtime->start(vm, {});
              break;
            case 1:
              runtime->poweroff("busy");
              break;
            case 2:
              runtime->suspend("busy");
              break;
            case 3:
              runtime->resume("busy");
              break;
            case 4:
              runtime->stop("busy", StopOptions{false, true, 1s, 10ms});
              break;
          }
          ++succeeded;
        } catch (const CallError&) {
          // wrong state for this operation at this moment: expected in a random sequence
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(hv.most.load(), 1);
  EXPECT_GT(succeeded.load(), 10);
  EXPECT_GT(hv.inner.starts(), 1);
  // The final state matches the process: active exactly when a pid is reported.
  auto s = runtime->snapshot();
  EXPECT_EQ(runtime->active(), s.pid.has_value());
}

}  // namespace
}  // namespace mw::vm::testing
