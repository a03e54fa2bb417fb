// A dtype has two halves, the API side (device/<dtype>.cpp, a DeviceKind) and the QEMU side
// (hypervisor/qemu/devices/, a QemuDevice); both are listed by dtype, and neither list may miss one.
#include <gtest/gtest.h>

#include "device/device_kind.hpp"
#include "hypervisor/qemu/devices/qemu_device.hpp"

namespace mw::vm {
namespace {

TEST(DeviceKinds, EveryDtypeHasItsApiSideAndItsQemuSide) {
  for (const auto& dtype : device_types()) {
    SCOPED_TRACE(dtype);
    const DeviceKind* kind = device_kind(dtype);
    ASSERT_NE(kind, nullptr);
    EXPECT_EQ(kind->dtype(), dtype);
    auto attributes = default_attributes(dtype);
    ASSERT_TRUE(attributes.has_value());
    EXPECT_EQ(hypervisor::qemu::qemu_device(DeviceConfig{1, 1, 0, *attributes}).dtype(), dtype);
  }
  EXPECT_EQ(hypervisor::qemu::qemu_devices().size(), device_types().size());
}

}  // namespace
}  // namespace mw::vm
