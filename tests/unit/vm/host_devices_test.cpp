// Host USB and PCI devices as TrueNAS lists them, read from a fake sysfs tree with a small
// hardware database: names, decimal numbers, database names, hubs left out.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include <boost/json.hpp>

#include "hardware_ids.hpp"
#include "host_devices.hpp"

namespace mw::vm {
namespace {

namespace fs = std::filesystem;
namespace json = boost::json;

const char* kPciIds =
    "# pci.ids excerpt\n"
    "8086  Intel Corporation\n"
    "\t1533  I210 Gigabit Network Connection\n"
    "\t\t8086 0001  I210 Gigabit Network Connection\n"
    "10de  NVIDIA Corporation\n"
    "C 02  Network controller\n"
    "\t00  Ethernet controller\n"
    "C 03  Display controller\n"
    "\t00  VGA compatible controller\n"
    "\t\t00  VGA controller\n";
const char* kUsbIds =
    "046d  Logitech, Inc.\n"
    "\tc52b  Unifying Receiver\n"
    "1d6b  Linux Foundation\n"
    "\t0002  2.0 root hub\n"
    "C 09  Hub\n"
    "AT 0001  Not a vendor\n";

class HostDevicesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root = fs::temp_directory_path() / ("mw_host_devices_" + std::to_string(::getpid()));
    fs::remove_all(root);
  }
  void TearDown() override { fs::remove_all(root); }
  void put(const fs::path& p, const std::string& text) {
    fs::create_directories(p.parent_path());
    std::ofstream(p) << text << "\n";
  }
  fs::path root;
  HardwareIds ids{kPciIds, kUsbIds};
};

TEST(HardwareIds, NamesVendorsDevicesAndClassesFromTheDatabases) {
  HardwareIds ids(kPciIds, kUsbIds);
  EXPECT_EQ(ids.pci_vendor(0x8086), "Intel Corporation");
  EXPECT_EQ(ids.pci_device(0x8086, 0x1533), "I210 Gigabit Network Connection");
  EXPECT_EQ(ids.pci_device(0x10de, 0x1533), std::nullopt);
  EXPECT_EQ(ids.pci_subclass(0x030000), "VGA compatible controller");
  EXPECT_EQ(ids.usb_vendor(0x046d), "Logitech, Inc.");
  EXPECT_EQ(ids.usb_product(0x046d, 0xc52b), "Unifying Receiver");
  EXPECT_EQ(ids.usb_vendor(0x0001), std::nullopt) << "usb.ids' other lists are no vendors";
}

TEST_F(HostDevicesTest, UsbDevicesAreNamedByBusAndDeviceNumberWithoutHubs) {
  const auto usb = root / "usb";
  // A root hub, a device the database knows, one it does not, and an interface.
  put(usb / "usb1" / "idVendor", "1d6b"), put(usb / "usb1" / "idProduct", "0002");
  put(usb / "usb1" / "busnum", "1"), put(usb / "usb1" / "devnum", "1"), put(usb / "usb1" / "bDeviceClass", "09");
  put(usb / "1-2" / "idVendor", "046d"), put(usb / "1-2" / "idProduct", "c52b"),
      put(usb / "1-2" / "bDeviceClass", "00");
  put(usb / "1-2" / "busnum", "1"), put(usb / "1-2" / "devnum", "007"), put(usb / "1-2" / "manufacturer", "Logitech");
  put(usb / "3-1" / "idVendor", "abcd"), put(usb / "3-1" / "idProduct", "1234"),
      put(usb / "3-1" / "bDeviceClass", "00");
  put(usb / "3-1" / "busnum", "3"), put(usb / "3-1" / "devnum", "2"), put(usb / "3-1" / "product", "Gadget");
  put(usb / "1-2:1.0" / "bInterfaceClass", "03");

  auto devices = usb_devices_in(usb, ids);
  ASSERT_EQ(devices.size(), 2u) << json::serialize(devices);
  EXPECT_EQ(devices.at("usb_1_7"), json::parse(R"({
    "capability": {"product": "Unifying Receiver", "product_id": "0xc52b", "vendor": "Logitech, Inc.",
                   "vendor_id": "0x046d", "bus": "1", "device": "7"},
    "available": true, "error": null, "description": "Unifying Receiver by Logitech, Inc."})"));
  const auto& unknown = devices.at("usb_3_2").as_object();
  EXPECT_EQ(unknown.at("description"), "Gadget") << "the device's own name when the database has none";
  EXPECT_EQ(unknown.at("available"), false);
  EXPECT_EQ(unknown.at("error"), "Missing required USB device information: vendor");
}

TEST_F(HostDevicesTest, PciDevicesHaveDecimalNumbersAndDatabaseNames) {
  const auto pci = root / "pci";
  put(pci / "0000:0a:1f.3" / "class", "0x020000");
  put(pci / "0000:0a:1f.3" / "vendor", "0x8086"), put(pci / "0000:0a:1f.3" / "device", "0x1533");
  put(pci / "0000:00:02.0" / "class", "0x030000");
  put(pci / "0000:00:02.0" / "vendor", "0x1234"), put(pci / "0000:00:02.0" / "device", "0x1111");

  auto devices = pci_devices_in(pci, ids);
  const auto& nic = devices.at("pci_0000_0a_1f_3").as_object();
  EXPECT_EQ(nic.at("capability"), json::parse(R"({"class": "0x020000", "domain": "0", "bus": "10", "slot": "31",
    "function": "3", "product": "I210 Gigabit Network Connection", "vendor": "Intel Corporation"})"));
  EXPECT_EQ(nic.at("controller_type"), "Ethernet controller");
  EXPECT_EQ(nic.at("description"),
            "0000:0a:1f.3 'Ethernet controller': I210 Gigabit Network Connection by 'Intel Corporation'");
  const auto& unknown = devices.at("pci_0000_00_02_0").at("capability").as_object();
  EXPECT_EQ(unknown.at("vendor"), "Not Available");
  EXPECT_EQ(unknown.at("product"), "Not Available");
}

}  // namespace
}  // namespace mw::vm
