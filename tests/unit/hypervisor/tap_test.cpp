// Host interface helpers of bridged NICs: the tap's name and its byte counters (used by /metrics).
#include <gtest/gtest.h>

#include "hypervisor/qemu/tap.hpp"

namespace mw::vm::hypervisor::qemu {
namespace {

TEST(Tap, NameFollowsTheNicDeviceIdAndFitsAnInterfaceName) {
  EXPECT_EQ(tap_name(7), "mwtap7");
  EXPECT_LT(tap_name(9'999'999'999).size(), 16u);  // IFNAMSIZ counts the terminating NUL
}

TEST(Tap, InterfaceBytesReadsTheKernelCountersOfAnExistingInterface) {
  auto lo = interface_bytes("lo");
  ASSERT_TRUE(lo.has_value());
  // Loopback receives exactly what it sends.
  EXPECT_EQ(lo->received > 0, lo->transmitted > 0);
}

TEST(Tap, InterfaceBytesIsEmptyForAMissingInterface) { EXPECT_FALSE(interface_bytes("mwtap-none").has_value()); }

}  // namespace
}  // namespace mw::vm::hypervisor::qemu
