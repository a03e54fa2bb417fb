#include <gtest/gtest.h>

#include "hypervisor/qemu/qemu_domain.hpp"

namespace mw::vm::hypervisor::qemu {
namespace {

TEST(DomainState, MapsQmpRunStatesToLibvirtNames) {
  EXPECT_EQ(domain_state_from_qmp("running"), DomainState::RUNNING);
  EXPECT_EQ(domain_state_from_qmp("paused"), DomainState::PAUSED);
  EXPECT_EQ(domain_state_from_qmp("prelaunch"), DomainState::PAUSED);
  EXPECT_EQ(domain_state_from_qmp("io-error"), DomainState::PAUSED);
  EXPECT_EQ(domain_state_from_qmp("shutdown"), DomainState::SHUTDOWN);
  EXPECT_EQ(domain_state_from_qmp("guest-panicked"), DomainState::CRASHED);
  // A KVM internal error stops the guest for good: a failure, not a pause to resume from.
  EXPECT_EQ(domain_state_from_qmp("internal-error"), DomainState::CRASHED);
  EXPECT_EQ(domain_state_from_qmp("suspended"), DomainState::PMSUSPENDED);
}

TEST(DomainState, PrintsLibvirtNames) {
  EXPECT_STREQ(to_string(DomainState::SHUTOFF), "SHUTOFF");
  EXPECT_STREQ(to_string(DomainState::PMSUSPENDED), "PMSUSPENDED");
  EXPECT_STREQ(to_string(DomainState::NOSTATE), "NOSTATE");
}

}  // namespace
}  // namespace mw::vm::hypervisor::qemu
