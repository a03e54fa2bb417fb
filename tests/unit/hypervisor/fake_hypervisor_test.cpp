// The fake must behave like QemuHypervisor where callers can tell (same events, states, errors).
#include <csignal>

#include <gtest/gtest.h>

#include "support/fake_hypervisor.hpp"

namespace mw::testing {
namespace {

using vm::hypervisor::DomainEvent;
using vm::hypervisor::DomainState;
using vm::hypervisor::HypervisorError;

vm::VmConfig vm(const std::string& uuid) {
  return vm::vm_from_json(json::object{
      {"id", 1}, {"name", "vm1"}, {"uuid", uuid}, {"memory", 256}, {"vcpus", 1}, {"cores", 2}, {"threads", 1}});
}

std::vector<std::string> names(const std::vector<DomainEvent>& events) {
  std::vector<std::string> out;
  for (const auto& e : events) out.push_back(e.event);
  return out;
}

TEST(FakeHypervisor, PauseResumeAndPoweroffProduceQemusEvents) {
  FakeHypervisor hv;
  auto domain = hv.start(vm("u1"), {});
  std::vector<DomainEvent> events;
  domain->on_state_change([&](const DomainEvent& e) { events.push_back(e); });
  domain->pause();
  EXPECT_EQ(domain->query_status(), DomainState::PAUSED);
  domain->resume();
  domain->poweroff();
  EXPECT_EQ(names(events), (std::vector<std::string>{"STOP", "RESUME", "SHUTDOWN", "EXIT"}));
  EXPECT_EQ(events.back().state, DomainState::SHUTOFF);
  EXPECT_FALSE(domain->alive());
  EXPECT_THROW(domain->pause(), HypervisorError);
}

TEST(FakeHypervisor, GuestsThatIgnoreAcpiStayUp) {
  FakeHypervisor hv;
  hv.set_guests_obey_acpi(false);
  auto domain = hv.start(vm("u2"), {});
  domain->powerdown();
  EXPECT_TRUE(domain->alive());
  EXPECT_EQ(domain->query_status(), DomainState::RUNNING);
  hv.set_guests_obey_acpi(true);
  auto other = hv.start(vm("u3"), {});
  other->powerdown();
  EXPECT_EQ(other->query_status(), DomainState::SHUTOFF);
}

TEST(FakeHypervisor, OutsideKillIsACrashWithTheSignal) {
  FakeHypervisor hv;
  auto domain = hv.start(vm("u4"), {});
  std::optional<DomainEvent> exit;
  domain->on_state_change([&](const DomainEvent& e) {
    if (e.event == "EXIT") exit = e;
  });
  hv.domain("u4")->kill_from_outside(SIGKILL);
  ASSERT_TRUE(exit);
  EXPECT_EQ(exit->state, DomainState::CRASHED);
  EXPECT_EQ(exit->signal, SIGKILL);
  EXPECT_EQ(hv.attach(vm("u4")), nullptr);
}

TEST(FakeHypervisor, AttachFindsRunningDomainsAndStartRefusesDuplicates) {
  FakeHypervisor hv;
  auto domain = hv.start(vm("u5"), {});
  EXPECT_EQ(hv.attach(vm("u5")), domain);
  EXPECT_THROW(hv.start(vm("u5"), {}), HypervisorError);
  EXPECT_EQ(hv.attach(vm("nothing")), nullptr);
  EXPECT_EQ(domain->vcpu_threads().size(), 2u);
  EXPECT_EQ(domain->balloon_actual(), 256ull << 20);
}

TEST(FakeHypervisor, InjectedStartFailureHappensOnce) {
  FakeHypervisor hv;
  hv.fail_next_start("QEMU failed to start (exit code 1): boom");
  try {
    hv.start(vm("u6"), {});
    FAIL() << "started";
  } catch (const HypervisorError& e) {
    EXPECT_STREQ(e.what(), "QEMU failed to start (exit code 1): boom");
  }
  EXPECT_NE(hv.start(vm("u6"), {}), nullptr);
  EXPECT_EQ(hv.starts(), 1);
}

}  // namespace
}  // namespace mw::testing
