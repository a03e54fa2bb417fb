// DeviceAttributes: the largest kinds are held boxed, with a value's meaning, so that a device row
// is sized for a NIC, not for a DISK.
#include <gtest/gtest.h>

#include <variant>

#include "model/device_config.hpp"

namespace mw::vm {
namespace {

TEST(DeviceAttributes, AreSizedForTheLargestKindHeldInPlace) {
  EXPECT_LE(sizeof(DeviceAttributes), sizeof(NicAttributes) + 8);
  EXPECT_LT(sizeof(DeviceAttributes), sizeof(DiskAttributes));
}

TEST(DeviceAttributes, ABoxedKindIsCopiedDeeplyAndComparedByValue) {
  DiskAttributes disk;
  disk.path = "/mnt/tank/disk0";
  DeviceConfig a{1, 2, 0, disk};
  DeviceConfig b = a;
  ASSERT_NE(b.get<DiskAttributes>(), nullptr);
  EXPECT_NE(b.get<DiskAttributes>(), a.get<DiskAttributes>()) << "a copy shares its box";
  EXPECT_EQ(a, b);
  b.get<DiskAttributes>()->path = "/mnt/tank/disk1";
  EXPECT_EQ(*a.get<DiskAttributes>()->path, "/mnt/tank/disk0");
  EXPECT_NE(a, b);
  b = a;  // copy-assigned over another box
  EXPECT_EQ(a, b);
}

TEST(DeviceAttributes, EveryKindIsReachedAsItself) {
  DeviceConfig d{1, 2, 0, RawAttributes{}};
  EXPECT_EQ(d.dtype(), "RAW");
  EXPECT_NE(d.get<RawAttributes>(), nullptr);
  EXPECT_EQ(d.get<DiskAttributes>(), nullptr);
  EXPECT_EQ(d.get<NicAttributes>(), nullptr);
  EXPECT_THROW(attributes_as<DisplayAttributes>(d.attributes), std::bad_variant_access);
  attributes_as<RawAttributes>(d.attributes).path = "/dev/zvol/tank/raw";
  EXPECT_EQ(d.get<RawAttributes>()->path, "/dev/zvol/tank/raw");
  d.attributes = NicAttributes{};
  EXPECT_EQ(d.dtype(), "NIC");
  EXPECT_NE(d.get<NicAttributes>(), nullptr);
  EXPECT_EQ(visit_attributes([](const auto& a) { return a.default_order; }, d.attributes), kOrderOther);
}

}  // namespace
}  // namespace mw::vm
