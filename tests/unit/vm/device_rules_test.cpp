// the plugin checks of each dtype, message for message.
#include <sys/stat.h>

#include "plugin_fixture.hpp"

namespace mw::vm::testing {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

class DeviceRulesTest : public VmPluginTest {
 protected:
  void SetUp() override {
    VmPluginTest::SetUp();
    vm = create_vm("vm01");
  }
  std::vector<ErrorTriple> attrs_errors(const std::string& attributes, int64_t on_vm = 0) {
    return device_errors(R"({"vm": )" + std::to_string(on_vm ? on_vm : vm) + R"(, "attributes": )" + attributes + "}");
  }
  std::string q(const std::string& s) { return "\"" + s + "\""; }
  int64_t vm = 0;
};

// ---- DISK
TEST_F(DeviceRulesTest, DiskPathMustBeAnExistingBlockDevice) {
  EXPECT_THAT(
      attrs_errors(R"({"dtype": "DISK", "path": "/dev/zvol/tank/vms/testvm-disk0"})"),
      ElementsAre(err("attributes.path",
                      "Zvol (tank/vms/testvm-disk0) path (/dev/zvol/tank/vms/testvm-disk0) does not exist.", ENOENT)));
  EXPECT_THAT(attrs_errors(R"({"dtype": "DISK", "path": "/nonexistent/disk"})"),
              ElementsAre(err("attributes.path", "Disk path (/nonexistent/disk) does not exist.", ENOENT)));
  std::string file = file_in_storage("plain.img");
  EXPECT_THAT(attrs_errors(R"({"dtype": "DISK", "path": )" + q(file) + "}"),
              ElementsAre(err("attributes.path", "Disk path (" + file + ") is not a block device.")));
}

TEST_F(DeviceRulesTest, DiskZvolFieldsAndCreation) {
  EXPECT_THAT(
      attrs_errors(R"({"dtype": "DISK", "path": "/nonexistent", "zvol_name": "tank/x", "zvol_volsize": 10})"),
      ElementsAre(err("attributes.zvol_name", "This field should not be specified when \"create_zvol\" is unset."),
                  err("attributes.zvol_volsize", "This field should not be specified when \"create_zvol\" is unset."),
                  err("attributes.path", "Disk path (/nonexistent) does not exist.", ENOENT)));
  EXPECT_THAT(
      attrs_errors(R"({"dtype": "DISK", "create_zvol": true, "zvol_name": "tank/x", "zvol_volsize": 1048576})"),
      ElementsAre(err("attributes.create_zvol",
                      "ZFS is not available on this system: create the block device first and pass its path.")));
}

TEST_F(DeviceRulesTest, DiskOnABlockDeviceWithSectorRulesAndSerial) {
  if (!std::filesystem::exists("/dev/loop0")) GTEST_SKIP() << "needs /dev/loop0";
  EXPECT_THAT(
      attrs_errors(R"({"dtype": "DISK", "path": "/dev/loop0", "physical_sectorsize": 4096})"),
      ElementsAre(err("attributes.logical_sectorsize",
                      "This field \"logical_sectorsize\" must be provided when physical_sectorsize is specified.")));
  EXPECT_THAT(attrs_errors(
                  R"({"dtype": "DISK", "path": "/dev/loop0", "logical_sectorsize": 4096, "physical_sectorsize": 512})"),
              ElementsAre(err("attributes.logical_sectorsize",
                              "Logical sector size cannot be greater than physical sector size.")));
  auto disk = create_device(vm, R"({"dtype": "DISK", "path": "/dev/loop0", "type": "VIRTIO", "serial": "mine"})");
  const auto& a = disk.at("attributes").as_object();
  EXPECT_EQ(a.at("serial").as_string().size(), 8u);  // a given serial is replaced on create
  EXPECT_NE(a.at("serial"), "mine");
  EXPECT_EQ(disk.at("order"), 1001);
  EXPECT_EQ(a.at("iotype"), "THREADS");
  int64_t id = disk.at("id").as_int64();
  EXPECT_THAT(errors_of([&] {
                call("vm.device.update", {id, js(R"({"attributes": {"serial": "OTHER123"}})")});
              }),
              ElementsAre(err("attributes.serial", "This field is read-only.")));
  auto kept = call("vm.device.update", {id, js(R"({"attributes": {"serial": ""}})")}).as_object();
  EXPECT_EQ(kept.at("attributes").as_object().at("serial"), a.at("serial"));
  EXPECT_THAT(attrs_errors(R"({"dtype": "DISK", "path": "/dev/loop0"})"),
              ElementsAre(err("attributes.path", "vm01 has \"/dev/loop0\" already configured")));
}

TEST_F(DeviceRulesTest, DiskRefusesABlockDeviceTheHostUses) {
  if (!std::filesystem::exists("/dev/loop0")) GTEST_SKIP() << "needs /dev/loop0";
  host->taken_disks["/dev/loop0"] = "it holds a mounted filesystem (/srv)";
  EXPECT_THAT(attrs_errors(R"({"dtype": "DISK", "path": "/dev/loop0"})"),
              ElementsAre(err("attributes.path",
                              "Disk path (/dev/loop0) cannot be used: it holds a mounted filesystem (/srv).")));
  EXPECT_FALSE(call("vm.device.disk_choices").as_object().contains("/dev/loop0"));
  host->disks.clear();  // a block device the host does not list at all
  EXPECT_THAT(attrs_errors(R"({"dtype": "DISK", "path": "/dev/loop0"})"),
              ElementsAre(err("attributes.path",
                              "Disk path (/dev/loop0) cannot be used: it is not among the host's block devices.")));
}

TEST_F(DeviceRulesTest, RawExistingFileIsNeverCut) {
  std::string image = file_in_storage("keep.img", 8192);
  create_device(vm, R"({"dtype": "RAW", "path": )" + q(image) + R"(, "exists": true, "size": 0})");
  EXPECT_EQ(std::filesystem::file_size(image), 8192u);
  std::string other = file_in_storage("other.img", 8192);
  create_device(vm, R"({"dtype": "RAW", "path": )" + q(other) + R"(, "exists": true, "size": 4096})");
  EXPECT_EQ(std::filesystem::file_size(other), 8192u);
  std::string grown = file_in_storage("grown.img", 4096);
  create_device(vm, R"({"dtype": "RAW", "path": )" + q(grown) + R"(, "exists": true, "size": 16384})");
  EXPECT_EQ(std::filesystem::file_size(grown), 16384u);
}

// ---- RAW
TEST_F(DeviceRulesTest, RawExistsSizeAndRootRules) {
  std::string existing = file_in_storage("exists.img");
  std::string fresh = (storage / "fresh.img").string();
  EXPECT_THAT(attrs_errors(R"({"dtype": "RAW", "path": )" + q(fresh) + R"(, "exists": true})"),
              ElementsAre(err("attributes.path", "Path must exist when \"exists\" is set.")));
  EXPECT_THAT(attrs_errors(R"({"dtype": "RAW", "path": )" + q(existing) + R"(, "size": 512})"),
              ElementsAre(err("attributes.path", "Path must not exist when \"exists\" is unset.")));
  EXPECT_THAT(attrs_errors(R"({"dtype": "RAW", "path": )" + q(fresh) + "}"),
              ElementsAre(err("attributes.size", "Please provide a valid size for the raw file.")));
  EXPECT_THAT(attrs_errors(R"({"dtype": "RAW", "path": )" + q(fresh) + R"(, "size": 1000})"),
              ElementsAre(err("attributes.size", "Size must be a multiple of logical sector size (512 bytes).")));
  EXPECT_THAT(
      attrs_errors(R"({"dtype": "RAW", "path": )" + q(fresh) + R"(, "size": 5120, "logical_sectorsize": 4096})"),
      ElementsAre(err("attributes.size", "Size must be a multiple of logical sector size (4096 bytes).")));
  EXPECT_THAT(attrs_errors(R"({"dtype": "RAW", "path": "relative.img", "size": 512})"),
              ElementsAre(err("attributes.path", "Path must be an absolute path")));
  EXPECT_THAT(
      attrs_errors(R"({"dtype": "RAW", "path": "/tmp/outside.img", "size": 512})"),
      ElementsAre(err("attributes.path", "The path must reside within a storage root (" + storage.string() + ")")));
  EXPECT_FALSE(std::filesystem::exists(fresh));  // nothing created by failed calls
}

TEST_F(DeviceRulesTest, RawFileIsCreatedSparseAndExistsIsNotStored) {
  std::string path = (storage / "vms" / "testvm-disk1.img").string();
  std::filesystem::create_directories(storage / "vms");
  auto raw = create_device(
      vm, R"({"dtype": "RAW", "path": )" + q(path) + R"(, "type": "VIRTIO", "size": 10737418240, "boot": false})");
  struct stat st {};
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_size, 10737418240);
  EXPECT_LT(st.st_blocks * 512, 1 << 20);  // sparse
  EXPECT_EQ(raw.at("attributes").as_object().at("exists"), false);
  // Quirk kept from TrueNAS: updating needs exists=true because the file is there now.
  int64_t id = raw.at("id").as_int64();
  EXPECT_THAT(errors_of([&] {
                call("vm.device.update", {id, js(R"({"attributes": {"boot": true}})")});
              }),
              ElementsAre(err("attributes.path", "Path must not exist when \"exists\" is unset.")));
  EXPECT_NO_THROW(call("vm.device.update", {id, js(R"({"attributes": {"boot": true, "exists": true}})")}));
  EXPECT_THAT(attrs_errors(R"({"dtype": "RAW", "path": )" + q(path) + R"(, "exists": true})"),
              ElementsAre(err("attributes.path", "vm01 has \"" + path + "\" already configured")));
}

TEST_F(DeviceRulesTest, RawMissingParentDirectory) {
  std::string path = (storage / "no" / "such" / "dir.img").string();
  EXPECT_THAT(attrs_errors(R"({"dtype": "RAW", "path": )" + q(path) + R"(, "size": 512})"),
              ElementsAre(err("attributes.path",
                              "Directory '" + (storage / "no" / "such").string() + "' does not exist.", ENOENT)));
}

// ---- CDROM
TEST_F(DeviceRulesTest, CdromPathRules) {
  EXPECT_THAT(attrs_errors(R"({"dtype": "CDROM", "path": ""})"),
              ElementsAre(err("attributes.path", "Path is required for CDROM device")));
  EXPECT_THAT(attrs_errors(R"({"dtype": "CDROM", "path": "iso/x.iso"})"),
              ElementsAre(err("attributes.path", "Path must be an absolute path")));
  std::string missing = (storage / "iso" / "ubuntu.iso").string();
  EXPECT_THAT(attrs_errors(R"({"dtype": "CDROM", "path": )" + q(missing) + "}"),
              ElementsAre(err("attributes.path", "Path " + missing + " does not exist", ENOENT)));
  std::string iso = file_in_storage("iso/ubuntu.iso");
  host->unreadable.insert(iso);
  EXPECT_THAT(attrs_errors(R"({"dtype": "CDROM", "path": )" + q(iso) + "}"),
              ElementsAre(err("attributes.path", "'libvirt-qemu' user cannot read from '" + iso +
                                                     "' path. Please ensure correct permissions are specified.")));
  host->unreadable.clear();
  auto cd = create_device(vm, R"({"dtype": "CDROM", "path": )" + q(iso) + "}");
  EXPECT_EQ(cd.at("order"), 1000);
  EXPECT_THAT(attrs_errors(R"({"dtype": "CDROM", "path": )" + q(iso) + "}"),
              ElementsAre(err("attributes.path", "vm01 has '" + iso + "' already configured")));
}

TEST_F(DeviceRulesTest, CdromEscapesFromTheRootsAreRefused) {
  std::string outside_file = (state_dir / "outside.iso").string();
  {
    std::FILE* f = std::fopen(outside_file.c_str(), "w");
    std::fclose(f);
  }
  std::string dotdot = (storage / ".." / "outside.iso").string();
  std::filesystem::create_symlink(outside_file, storage / "link.iso");
  std::string message = "The path must reside within a storage root (" + storage.string() + ")";
  EXPECT_THAT(attrs_errors(R"({"dtype": "CDROM", "path": )" + q(dotdot) + "}"),
              ElementsAre(err("attributes.path", message)));
  EXPECT_THAT(attrs_errors(R"({"dtype": "CDROM", "path": )" + q((storage / "link.iso").string()) + "}"),
              ElementsAre(err("attributes.path", message)));
}

// ---- NIC
TEST_F(DeviceRulesTest, NicMacRules) {
  EXPECT_THAT(attrs_errors(R"({"dtype": "NIC", "mac": "ff:a0:98:00:00:01"})"),
              ElementsAre(err("attributes.mac", "MAC address must not start with `ff`")));
  auto nic = create_device(vm, R"({"dtype": "NIC", "mac": "00:A0:98:12:34:56"})");
  EXPECT_EQ(nic.at("attributes").as_object().at("mac"), "00:a0:98:12:34:56");
  EXPECT_THAT(
      attrs_errors(R"({"dtype": "NIC", "mac": "00:a0:98:12:34:56"})"),
      ElementsAre(err("attributes.mac", "vm01 already has a NIC with MAC address '00:a0:98:12:34:56' configured")));
  int64_t other = create_vm("vm02");
  EXPECT_THAT(attrs_errors(R"({"dtype": "NIC", "mac": "00:a0:98:12:34:56"})", other), IsEmpty());
}

TEST_F(DeviceRulesTest, NicAttachAndTrustRules) {
  EXPECT_THAT(attrs_errors(R"({"dtype": "NIC", "nic_attach": "wlan9"})"),
              ElementsAre(err("attributes.nic_attach", "Not a valid choice.")));
  EXPECT_THAT(
      attrs_errors(R"({"dtype": "NIC", "nic_attach": "br0", "trust_guest_rx_filters": true})"),
      ElementsAre(
          err("attributes.trust_guest_rx_filters", "This can only be set when \"nic_attach\" is not a bridge device"),
          err("attributes.trust_guest_rx_filters", "This can only be set when \"type\" of NIC device is \"VIRTIO\"")));
  EXPECT_THAT(
      attrs_errors(R"({"dtype": "NIC", "nic_attach": "eth0", "type": "VIRTIO", "trust_guest_rx_filters": true})"),
      IsEmpty());
  EXPECT_THAT(
      attrs_errors(R"({"dtype": "NIC", "nic_attach": "br0", "type": "VIRTIO", "pci_address": {"bus": 2, "slot": 3}})"),
      IsEmpty());
}

// ---- DISPLAY
TEST_F(DeviceRulesTest, DisplayGetsPortsPasswordAndDefaults) {
  host->busy_ports[5900] = {"0.0.0.0:5900", "sshd"};
  auto d = create_device(vm, R"({"dtype": "DISPLAY"})");
  const auto& a = d.at("attributes").as_object();
  EXPECT_EQ(a.at("port"), 5901);
  EXPECT_EQ(a.at("web_port"), 5902);
  EXPECT_EQ(a.at("type"), "SPICE");
  EXPECT_EQ(a.at("resolution"), "1024x768");
  EXPECT_EQ(a.at("bind"), "127.0.0.1");
  EXPECT_EQ(a.at("web"), true);
  EXPECT_EQ(a.at("password").as_string().size(), 8u);
  EXPECT_EQ(call("vm.get_instance", {vm}).as_object().at("display_available"), true);
  EXPECT_EQ(call("vm.port_wizard"), js(R"({"port": 5903, "web": 5904})"));
}

TEST_F(DeviceRulesTest, DisplayPortRules) {
  host->busy_ports[5990] = {"0.0.0.0:5990", "nginx"};
  create_device(vm, R"({"dtype": "DISPLAY", "port": 5950, "web_port": 5951})");
  int64_t other = create_vm("vm02");
  EXPECT_THAT(
      attrs_errors(R"({"dtype": "DISPLAY", "port": 5950})", other),
      ElementsAre(err("attributes.port", "Specified display port(5950) is already in use by another Display device")));
  EXPECT_THAT(attrs_errors(R"({"dtype": "DISPLAY", "port": 5960, "web_port": 5951})", other),
              ElementsAre(err("attributes.web_port",
                              "Specified display port(5951) is already in use by another Display device")));
  EXPECT_THAT(attrs_errors(R"({"dtype": "DISPLAY", "port": 5990})", other),
              ElementsAre(err("attributes.port",
                              "The port is being used by following services:\n1) \"0.0.0.0:5990\" used by nginx")));
  EXPECT_THAT(attrs_errors(R"({"dtype": "DISPLAY", "port": 5970, "web_port": 80})", other),
              ElementsAre(err("attributes.web_port", "Specified port must be between 5900 and 65535, inclusive")));
  EXPECT_THAT(attrs_errors(R"({"dtype": "DISPLAY", "port": 5970, "web_port": 5970})", other),
              ElementsAre(err("attributes.port", "Spice server port must not be same as web port")));
}

TEST_F(DeviceRulesTest, DisplayBindTypeAndPasswordRules) {
  EXPECT_THAT(attrs_errors(R"({"dtype": "DISPLAY", "bind": "10.9.9.9"})"),
              ElementsAre(err("attributes.bind", "Requested bind address is not valid")));
  EXPECT_THAT(attrs_errors(R"({"dtype": "DISPLAY", "password": "   "})"),
              ElementsAre(err("attributes.password", "Password is required for display devices")));
  EXPECT_THAT(attrs_errors(R"({"dtype": "DISPLAY", "type": "VNC", "password": "123456789"})"),
              ElementsAre(err("attributes.password", "Password for VNC display devices must be 8 characters or less")));
  // The VM-API-DOC VNC example: web access and an empty password are accepted.
  auto vnc = create_device(
      vm,
      R"({"dtype": "DISPLAY", "type": "VNC", "bind": "0.0.0.0", "port": 5900, "resolution": "1024x768", "web": true, "password": ""})");
  EXPECT_EQ(vnc.at("attributes").as_object().at("password").as_string().size(), 8u);
  create_device(vm, R"({"dtype": "DISPLAY", "type": "SPICE"})");
  EXPECT_THAT(attrs_errors(R"({"dtype": "DISPLAY", "type": "VNC", "port": 6100})"),
              ElementsAre(err("attributes.type", "Only one VNC Display device is supported")));
  EXPECT_THAT(attrs_errors(R"({"dtype": "DISPLAY", "type": "SPICE", "port": 6100})"),
              ElementsAre(err("attributes.type", "Only one SPICE Display device is supported")));
}

TEST_F(DeviceRulesTest, DisplayKeepsItsOwnPortOnUpdate) {
  auto d = create_device(vm, R"({"dtype": "DISPLAY", "port": 5950, "web_port": 5951})");
  host->busy_ports[5950] = {"0.0.0.0:5950", "qemu-system-x86"};  // its own QEMU, once running
  EXPECT_NO_THROW(call("vm.device.update", {d.at("id"), js(R"({"attributes": {"resolution": "800x600"}})")}));
}

// ---- PCI
TEST_F(DeviceRulesTest, PciRules) {
  host->pci["pci_0000_01_00_0"] = js(R"({"critical": false, "available": true, "error": null})");
  host->pci["pci_0000_00_00_0"] = js(R"({"critical": true, "available": false,
      "error": "'Bridge' based PCI devices are critical for system function and cannot be used for PCI passthrough"})");
  host->pci["pci_0000_02_00_0"] =
      js(R"({"critical": false, "available": false, "error": "IOMMU group is not available for this device"})");
  EXPECT_THAT(attrs_errors(R"({"dtype": "PCI", "pptdev": "0000:09:00.0"})"),
              ElementsAre(err("attributes.pptdev", "Not a valid choice. The PCI device 0000:09:00.0 not found")));
  EXPECT_THAT(
      attrs_errors(R"({"dtype": "PCI", "pptdev": "pci_0000_00_00_0"})"),
      ElementsAre(
          err("attributes.pptdev",
              "'Bridge' based PCI devices are critical for system function and cannot be used for PCI passthrough")));
  EXPECT_THAT(
      attrs_errors(R"({"dtype": "PCI", "pptdev": "pci_0000_02_00_0"})"),
      ElementsAre(
          err("attributes.pptdev",
              "Not a valid choice. The PCI device is not available: IOMMU group is not available for this device")));
  host->iommu = false;
  EXPECT_THAT(attrs_errors(R"({"dtype": "PCI", "pptdev": "0000:01:00.0"})"),
              ElementsAre(err("attributes.pptdev", "IOMMU support is required.")));
  host->iommu = true;
  auto pci = create_device(vm, R"({"dtype": "PCI", "pptdev": "0000:01:00.0"})");
  EXPECT_THAT(attrs_errors(R"({"dtype": "PCI", "pptdev": "pci_0000_01_00_0"})"),
              ElementsAre(err("attributes.pptdev", "vm01 already has PCI device 'pci_0000_01_00_0' configured")));
  runtime->states[vm] = "RUNNING";
  host->pci["pci_0000_03_00_0"] = js(R"({"critical": false, "available": true, "error": null})");
  EXPECT_THAT(errors_of([&] {
                call("vm.device.update", {pci.at("id"), js(R"({"attributes": {"pptdev": "pci_0000_03_00_0"}})")});
              }),
              ElementsAre(err("attribute.pptdev", "Changing PCI device is not allowed while the VM is active.")));
}

// ---- USB
TEST_F(DeviceRulesTest, UsbRules) {
  host->usb["usb_1_2"] = js(R"({"capability": {"vendor_id": "0x8086", "product_id": "0x1234"}})");
  EXPECT_THAT(
      attrs_errors(R"({"dtype": "USB", "device": "usb_1_2", "usb": {"vendor_id": "0x8086", "product_id": "0x1234"}})"),
      ElementsAre(err("attributes.device", "Either device must be specified or USB details but not both")));
  EXPECT_THAT(attrs_errors(R"({"dtype": "USB"})"),
              ElementsAre(err("attributes.usb", "Either device or product_id and vendor_id  must be specified")));
  EXPECT_THAT(attrs_errors(R"({"dtype": "USB", "controller_type": "qemu-xhci", "device": "usb_8086_1234_..."})"),
              ElementsAre(err("attributes.device", "No USB device found with name usb_8086_1234_...")));
  EXPECT_THAT(attrs_errors(R"({"dtype": "USB", "usb": {"vendor_id": "0x1", "product_id": "0x2"}})"),
              ElementsAre(err("attributes.usb", "No USB device found with Vendor ID 0x1 and Product ID 0x2")));
  EXPECT_THAT(attrs_errors(R"({"dtype": "USB", "usb": {"vendor_id": "0X8086", "product_id": "0x1234"}})"), IsEmpty());
  auto usb = create_device(vm, R"({"dtype": "USB", "device": "usb_1_2"})");
  EXPECT_EQ(usb.at("attributes").as_object().at("controller_type"), "nec-xhci");
  EXPECT_THAT(attrs_errors(R"({"dtype": "USB", "device": "usb_1_2"})"),
              ElementsAre(err("attributes.device", "vm01 already has this USB device configured")));
}

}  // namespace
}  // namespace mw::vm::testing
