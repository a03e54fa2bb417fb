// The QEMU side of each dtype (hypervisor/qemu/devices/): one per dtype of the model, what each
// asks of the host before QEMU starts, and the buses and indexes devices share while the builder
// visits them.
#include <algorithm>
#include <optional>
#include <set>
#include <utility>

#include <gtest/gtest.h>

#include "hypervisor/hypervisor.hpp"
#include "hypervisor/qemu/devices/qemu_device.hpp"

namespace mw::vm::hypervisor::qemu {
namespace {

template <std::size_t... I>
std::vector<DeviceAttributes> every_dtype(std::index_sequence<I...>) {
  return {DeviceAttributes(AttributesAt<I>{})...};
}

TEST(QemuDevices, EveryDtypeOfTheModelHasItsOwnQemuSide) {
  std::set<const QemuDevice*> parts;
  for (auto& attributes : every_dtype(std::make_index_sequence<std::variant_size_v<DeviceAttributes>>())) {
    DeviceConfig device{1, 1, 0, attributes};
    const QemuDevice& part = qemu_device(device);
    EXPECT_EQ(part.dtype(), device.dtype());
    parts.insert(&part);
  }
  EXPECT_EQ(parts.size(), std::variant_size_v<DeviceAttributes>);
  EXPECT_EQ(qemu_devices().size(), std::variant_size_v<DeviceAttributes>);
}

DeviceConfig nic(std::optional<std::string> attach) {
  NicAttributes a;
  a.nic_attach = std::move(attach);
  return DeviceConfig{5, 1, 0, a};
}

TEST(QemuDeviceHostPreparation, NicWithoutAttachmentNeedsNothingOfTheHost) {
  HostFacts facts;
  HostPreparation host{facts, {}};
  const auto device = nic(std::nullopt);
  qemu_device(device).prepare_host(device, host);
  EXPECT_TRUE(facts.tap_names.empty());
  EXPECT_TRUE(host.once_running.empty());
}

TEST(QemuDeviceHostPreparation, NicOnAnInterfaceThatIsNoBridgeIsRefusedNamingIt) {
  HostFacts facts;
  HostPreparation host{facts, {}};
  const auto device = nic("lo");
  try {
    qemu_device(device).prepare_host(device, host);
    FAIL() << "lo is no bridge";
  } catch (const HypervisorError& e) {
    EXPECT_STREQ(e.what(), "NIC attachment to 'lo' is not supported: only bridges are");
  }
  EXPECT_TRUE(facts.tap_names.empty());
}

DeviceConfig raw(const std::string& path) {
  RawAttributes a;
  a.path = path;
  return DeviceConfig{2, 1, 0, a};
}

TEST(QemuDeviceHostPreparation, DiskFileThatRefusesODirectIsRememberedForTheBuilder) {
  // procfs refuses O_DIRECT with EINVAL on every kernel (tmpfs takes it since Linux 6.6).
  const std::string path = "/proc/version";
  HostFacts facts;
  HostPreparation host{facts, {}};
  const auto device = raw(path);
  qemu_device(device).prepare_host(device, host);
  EXPECT_TRUE(facts.no_direct_io_paths.contains(path));
  EXPECT_TRUE(host.once_running.empty());
}

TEST(QemuDeviceHostPreparation, MissingDiskFileIsLeftForQemuToReport) {
  HostFacts facts;
  HostPreparation host{facts, {}};
  const auto device = raw("/nonexistent/mw-qemu-device-test.img");
  qemu_device(device).prepare_host(device, host);
  EXPECT_TRUE(facts.no_direct_io_paths.empty());
}

struct ArgsFixture : ::testing::Test {
  VmConfig vm;
  HostFacts facts;
  QemuCommand cmd;
  QemuDeviceArgs args{vm, facts, cmd};

  long count(const std::string& arg) const { return std::count(cmd.argv.begin(), cmd.argv.end(), arg); }
};

TEST_F(ArgsFixture, SeventhAhciPortOpensASecondController) {
  std::vector<std::string> ports;
  for (int i = 0; i < 7; ++i) ports.push_back(args.next_ahci_port());
  EXPECT_EQ(ports.front(), "ahci0.0");
  EXPECT_EQ(ports[5], "ahci0.5");
  EXPECT_EQ(ports.back(), "ahci1.0");
  EXPECT_EQ(count("ich9-ahci,id=ahci0"), 1);
  EXPECT_EQ(count("ich9-ahci,id=ahci1"), 1);
}

TEST_F(ArgsFixture, IdeUsesThePcMachinesOwnControllerAndRefusesAFifthDevice) {
  args.set_machine("pc");
  for (int i = 0; i < 4; ++i) args.next_ide_slot();
  EXPECT_TRUE(cmd.argv.empty());
  EXPECT_THROW(args.next_ide_slot(), CommandLineError);
}

TEST_F(ArgsFixture, IdeOnQ35AddsAPiix3ControllerOnce) {
  args.set_machine("pc-q35-7.2");
  EXPECT_EQ(args.next_ide_slot(), "bus=pata0.0,unit=0");
  EXPECT_EQ(args.next_ide_slot(), "bus=pata0.0,unit=1");
  EXPECT_EQ(args.next_ide_slot(), "bus=pata0.1,unit=0");
  EXPECT_EQ(count("piix3-ide,id=pata0"), 1);
}

TEST_F(ArgsFixture, UsbControllerIsAddedOncePerType) {
  EXPECT_EQ(args.usb_bus("nec-xhci", "nec-usb-xhci"), "usb-nec-xhci");
  EXPECT_EQ(args.usb_bus("nec-xhci", "nec-usb-xhci"), "usb-nec-xhci");
  EXPECT_EQ(args.usb_bus("ehci", "usb-ehci"), "usb-ehci");
  EXPECT_EQ(count("nec-usb-xhci,id=usb-nec-xhci"), 1);
  EXPECT_EQ(count("usb-ehci,id=usb-ehci"), 1);
}

TEST_F(ArgsFixture, BootIndexesCountFromOneInTheOrderAsked) {
  EXPECT_EQ(args.next_bootindex(), 1);
  EXPECT_EQ(args.next_bootindex(), 2);
}

}  // namespace
}  // namespace mw::vm::hypervisor::qemu
