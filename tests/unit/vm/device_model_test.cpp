// vm.device.create/update model rules: the dtype tag, types, literals, ranges, defaults.
#include "plugin_fixture.hpp"

namespace mw::vm::testing {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

class DeviceModelTest : public VmPluginTest {
 protected:
  void SetUp() override {
    VmPluginTest::SetUp();
    vm = create_vm("vm01");
  }
  std::vector<ErrorTriple> attrs_errors(const std::string& attributes) {
    return device_errors(R"({"vm": )" + std::to_string(vm) + R"(, "attributes": )" + attributes + "}");
  }
  int64_t vm = 0;
};

TEST_F(DeviceModelTest, MissingAndUnknownTags) {
  EXPECT_THAT(attrs_errors("{}"), ElementsAre(err("vm_device_create.attributes.dtype", "Field required")));
  EXPECT_THAT(attrs_errors(R"({"dtype": "FLOPPY"})"),
              ElementsAre(err("vm_device_create.attributes",
                              "Input tag 'FLOPPY' found using 'dtype' does not match any of the expected tags: "
                              "'DISK', 'RAW', 'CDROM', 'NIC', 'DISPLAY', 'PCI', 'USB'")));
}

TEST_F(DeviceModelTest, TagGoesIntoThePath) {
  EXPECT_THAT(
      attrs_errors(R"({"dtype": "DISPLAY", "port": 80})"),
      ElementsAre(err("vm_device_create.attributes.DISPLAY.port", "Input should be greater than or equal to 5900")));
  EXPECT_THAT(
      attrs_errors(R"({"dtype": "DISPLAY", "port": 70000})"),
      ElementsAre(err("vm_device_create.attributes.DISPLAY.port", "Input should be less than or equal to 65535")));
  EXPECT_THAT(
      attrs_errors(R"({"dtype": "NIC", "type": "RTL8139", "trust_guest_rx_filters": 1, "bogus": 1})"),
      ElementsAre(err("vm_device_create.attributes.NIC.type", "Input should be 'E1000' or 'VIRTIO'"),
                  err("vm_device_create.attributes.NIC.trust_guest_rx_filters", "Input should be a valid boolean"),
                  err("vm_device_create.attributes.NIC.bogus", "Extra inputs are not permitted")));
  EXPECT_THAT(
      attrs_errors(R"({"dtype": "DISK", "path": "/dev/loop0", "logical_sectorsize": 1024, "iotype": "AIO"})"),
      ElementsAre(err("vm_device_create.attributes.DISK.logical_sectorsize", "Input should be 512 or 4096"),
                  err("vm_device_create.attributes.DISK.iotype", "Input should be 'NATIVE', 'THREADS' or 'IO_URING'")));
  EXPECT_THAT(attrs_errors(R"({"dtype": "RAW"})"),
              ElementsAre(err("vm_device_create.attributes.RAW.path", "Field required")));
  EXPECT_THAT(attrs_errors(R"({"dtype": "CDROM", "path": "/mnt/{x}.iso"})"),
              ElementsAre(err("vm_device_create.attributes.CDROM.path", "String should match pattern '^[^{}]*$'")));
  EXPECT_THAT(
      attrs_errors(R"({"dtype": "NIC", "pci_address": {"bus": 0, "slot": 1.0}})"),
      ElementsAre(err("vm_device_create.attributes.NIC.pci_address.bus", "Input should be greater than or equal to 1"),
                  err("vm_device_create.attributes.NIC.pci_address.slot", "Input should be a valid integer")));
}

TEST_F(DeviceModelTest, MacFormatIsAnAssertion) {
  EXPECT_THAT(
      attrs_errors(R"({"dtype": "NIC", "mac": "00:a0:98:xx:xx:xx"})"),
      ElementsAre(
          err("vm_device_create.attributes.NIC.mac",
              "Assertion failed, MAC address must be a colon-separated hexadecimal value (e.g. 00:a0:99:7e:bb:8a).")));
}

TEST_F(DeviceModelTest, DiskModelRules) {
  EXPECT_THAT(attrs_errors(R"({"dtype": "DISK", "path": "/dev/loop0", "create_zvol": true})"),
              ElementsAre(err("vm_device_create.attributes.DISK",
                              "Value error, Path should not be provided if create_zvol is set")));
  EXPECT_THAT(attrs_errors(R"({"dtype": "DISK"})"),
              ElementsAre(err("vm_device_create.attributes.DISK",
                              "Value error, Path must be specified if create_zvol is not set")));
}

TEST_F(DeviceModelTest, DtypeAtTopLevelMeansAttributesDtype) {
  auto nic = call("vm.device.create",
                  {js(R"({"vm": )" + std::to_string(vm) + R"(, "dtype": "NIC", "attributes": {"type": "VIRTIO"}})")});
  EXPECT_EQ(nic.as_object().at("attributes").as_object().at("dtype"), "NIC");
  EXPECT_THAT(device_errors(R"({"vm": )" + std::to_string(vm) + R"(, "dtype": "NIC", "attributes": {"dtype": "USB"}})"),
              ElementsAre(err("vm_device_create.dtype", "Value error, dtype does not match attributes.dtype")));
}

TEST_F(DeviceModelTest, StoredAttributesAreTheFullModelDump) {
  auto nic = create_device(vm, R"({"dtype": "NIC"})");
  const auto& a = nic.at("attributes").as_object();
  EXPECT_EQ(a.at("type"), "E1000");
  EXPECT_EQ(a.at("trust_guest_rx_filters"), false);
  EXPECT_TRUE(a.at("nic_attach").is_null());
  EXPECT_TRUE(a.at("pci_address").is_null());
  EXPECT_EQ(a.at("mac").as_string().subview(0, 9), "00:a0:98:");
  EXPECT_EQ(nic.at("vm"), vm);
  EXPECT_EQ(nic.at("order"), 1002);
}

TEST_F(DeviceModelTest, MissingVm) {
  EXPECT_THAT(device_errors(R"({"vm": 99, "attributes": {"dtype": "NIC"}})"),
              ElementsAre(err("vm_device_create.vm", "VM 99 does not exist", ENOENT)));
}

TEST_F(DeviceModelTest, UpdateRechecksTheMergedAttributes) {
  auto nic = create_device(vm, R"({"dtype": "NIC"})");
  int64_t id = nic.at("id").as_int64();
  EXPECT_THAT(errors_of([&] {
                call("vm.device.update", {id, js(R"({"attributes": {"type": "PCNET"}})")});
              }),
              ElementsAre(err("vm_device_update.attributes.NIC.type", "Input should be 'E1000' or 'VIRTIO'")));
  EXPECT_THAT(errors_of([&] {
                call("vm.device.update", {id, js(R"({"attributes": {"dtype": "USB"}})")});
              }),
              ElementsAre(err("attributes.dtype", "Device type cannot be changed")));
  auto updated = call("vm.device.update", {id, js(R"({"attributes": {"type": "VIRTIO"}})")}).as_object();
  EXPECT_EQ(updated.at("attributes").as_object().at("type"), "VIRTIO");
  EXPECT_EQ(updated.at("attributes").as_object().at("mac"), nic.at("attributes").as_object().at("mac"));
  EXPECT_THAT(errors_of([&] {
                call("vm.device.update", {77, json::object{}});
              }),
              ElementsAre(err("None", "VMDevice 77 does not exist", ENOENT)));
}

}  // namespace
}  // namespace mw::vm::testing
