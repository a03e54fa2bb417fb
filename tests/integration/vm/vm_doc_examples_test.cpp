// The VM-API-DOC.md examples, verbatim through the real midclt. The suite runs in a private network
// namespace (when root) holding a bridge br0, so the NIC example's `nic_attach: "br0"` is real.
#include "vm_daemon_fixture.hpp"

namespace vm_it {
namespace {

class VmDocExamplesTest : public VmDaemonTest {
 protected:
  static void SetUpTestSuite() {
    // The daemon (started below) inherits the namespace and sees br0.
    have_bridge_ = enter_namespace_with_bridge();
    VmDaemonTest::SetUpTestSuite();
  }
  static json::value ok_json(const mw::test::CommandResult& r) {
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return r.out.empty() ? json::value(nullptr) : json::parse(r.out);
  }
  static inline bool have_bridge_ = false;
};

TEST_F(VmDocExamplesTest, CreateQueryUpdateDelete) {
  auto created = ok_json(midclt({"call", "vm.create", R"({
  "name": "testvm",
  "description": "Test virtual machine",
  "vcpus": 2,
  "cores": 1,
  "threads": 1,
  "memory": 2048,
  "bootloader": "UEFI",
  "autostart": false,
  "time": "UTC",
  "shutdown_timeout": 90
})"}));
  int64_t id = created.as_object().at("id").as_int64();
  EXPECT_EQ(created.as_object().at("vcpus"), 2);
  auto listed = ok_json(midclt({"call", "vm.query", R"([[["name", "=", "testvm"]]])"}));
  ASSERT_EQ(listed.as_array().size(), 1u);
  EXPECT_EQ(listed.as_array()[0].as_object().at("id"), id);
  ok_json(midclt({"call", "vm.query"}));
  ok_json(midclt({"call", "vm.query", R"([[["status.state", "=", "RUNNING"]]])"}));
  auto updated = ok_json(midclt({"call", "vm.update", std::to_string(id), R"({
  "vcpus": 4,
  "memory": 4096,
  "description": "Updated description"
})"}));
  EXPECT_EQ(updated.as_object().at("vcpus"), 4);
  EXPECT_EQ(updated.as_object().at("memory"), 4096);
  EXPECT_EQ(updated.as_object().at("description"), "Updated description");
  auto cloned = midclt({"call", "vm.clone", std::to_string(id), "cloned-vm"});
  EXPECT_EQ(cloned.exit_code, 0) << cloned.err;
  for (const char* info :
       {"vm.random_mac", "vm.port_wizard", "vm.maximum_supported_vcpus", "vm.virtualization_details",
        "vm.bootloader_options", "vm.cpu_model_choices", "vm.resolution_choices", "vm.device.bind_choices",
        "vm.device.disk_choices", "vm.device.nic_attach_choices", "vm.device.passthrough_device_choices",
        "vm.device.usb_passthrough_choices", "vm.device.usb_controller_choices", "vm.device.query"})
    EXPECT_EQ(midclt({"call", info}).exit_code, 0) << info;
  EXPECT_EQ(midclt({"call", "vm.device.query", "[[[\"vm\", \"=\", " + std::to_string(id) + "]]]"}).exit_code, 0);
  auto clone_id =
      call("vm.query", {js(R"([["name", "=", "cloned-vm"]])"), js(R"({"get": true})")}).as_object().at("id").as_int64();
  EXPECT_EQ(ok_json(midclt({"call", "vm.delete", std::to_string(clone_id)})), json::value(nullptr));
  EXPECT_EQ(ok_json(midclt({"call", "vm.delete", std::to_string(id), R"({"zvols": true, "force": false})"})),
            json::value(nullptr));
}

TEST_F(VmDocExamplesTest, NicExampleWithTopLevelDtype) {
  if (!have_bridge_) GTEST_SKIP() << "needs root to create br0 in a private network namespace";
  int64_t id = create_vm("nicvm");
  std::string body = R"({
  "vm": )" + std::to_string(id) +
                     R"(,
  "dtype": "NIC",
  "attributes": {
    "type": "VIRTIO",
    "mac": "00:a0:98:xx:xx:xx",
    "nic_attach": "br0"
  },
  "order": 1001
})";
  // The placeholder MAC gets the ordinary validation error naming the attribute ...
  auto placeholder = midclt({"call", "vm.device.create", body});
  EXPECT_NE(placeholder.exit_code, 0);
  EXPECT_NE(placeholder.err.find("vm_device_create.attributes.NIC.mac"), std::string::npos) << placeholder.err;
  // ... and with a real one the example works as written.
  std::string mac(call("vm.random_mac").as_string());
  body.replace(body.find("00:a0:98:xx:xx:xx"), 17, mac);
  auto nic = ok_json(midclt({"call", "vm.device.create", body})).as_object();
  EXPECT_EQ(nic.at("attributes").as_object().at("dtype"), "NIC");
  EXPECT_EQ(nic.at("attributes").as_object().at("nic_attach"), "br0");
  EXPECT_EQ(nic.at("attributes").as_object().at("mac"), json::value(mac));
  EXPECT_EQ(nic.at("order"), 1001);
  call("vm.delete", {id});
}

TEST_F(VmDocExamplesTest, DisplayRawAndPlaceholderExamples) {
  int64_t id = create_vm("docdev");
  std::string vm = std::to_string(id);
  auto vnc = ok_json(midclt({"call", "vm.device.create", R"({
  "vm": )" + vm + R"(,
  "dtype": "DISPLAY",
  "attributes": {
    "type": "VNC",
    "bind": "0.0.0.0",
    "port": 5900,
    "resolution": "1024x768",
    "web": true,
    "password": ""
  },
  "order": 1003
})"}))
                 .as_object();
  EXPECT_EQ(vnc.at("attributes").as_object().at("password").as_string().size(), 8u);
  // RAW: the documented path under this test's storage root instead of /mnt/tank.
  std::filesystem::create_directories(storage_ / "vms");
  auto raw = ok_json(midclt({"call", "vm.device.create",
                             R"({
  "vm": )" + vm + R"(,
  "dtype": "RAW",
  "attributes": {
    "path": ")" + (storage_ / "vms" / "testvm-disk1.img").string() +
                                 R"(",
    "type": "VIRTIO",
    "size": 10737418240,
    "boot": false
  },
  "order": 1004
})"}))
                 .as_object();
  EXPECT_EQ(std::filesystem::file_size(storage_ / "vms" / "testvm-disk1.img"), 10737418240u);
  EXPECT_EQ(ok_json(midclt({"call", "vm.device.virtual_size", std::to_string(raw.at("id").as_int64())})),
            json::value(10737418240));
  // Placeholders absent on this host: clear errors naming the attribute.
  struct Case {
    std::string body, attribute;
  };
  for (
      const Case& c :
      {Case{
           R"({"vm": )" + vm +
               R"(, "dtype": "DISK", "attributes": {"path": "/dev/zvol/tank/vms/testvm-disk0", "type": "VIRTIO", "logical_sectorsize": null, "physical_sectorsize": null}, "order": 1000})",
           "attributes.path"},
       Case{R"({"vm": )" + vm +
                R"(, "dtype": "CDROM", "attributes": {"path": "/mnt/tank/iso/ubuntu.iso"}, "order": 1002})",
            "attributes.path"},
       Case{R"({"vm": )" + vm + R"(, "dtype": "PCI", "attributes": {"pptdev": "0000:01:00.0"}, "order": 1005})",
            "attributes.pptdev"},
       Case{
           R"({"vm": )" + vm +
               R"(, "dtype": "USB", "attributes": {"controller_type": "qemu-xhci", "device": "usb_8086_1234_..."}, "order": 1006})",
           "attributes.device"}}) {
    auto r = midclt({"call", "vm.device.create", c.body});
    EXPECT_NE(r.exit_code, 0) << c.body;
    EXPECT_NE(r.err.find(c.attribute), std::string::npos) << r.err;
  }
  auto upd = midclt({"call", "vm.device.update", std::to_string(vnc.at("id").as_int64()), R"({
  "attributes": {
    "path": "/mnt/tank/iso/different.iso"
  }
})"});
  EXPECT_NE(upd.exit_code, 0);  // a DISPLAY has no path: the model says so
  EXPECT_NE(upd.err.find("vm_device_update.attributes.DISPLAY.path"), std::string::npos) << upd.err;
  // midclt prints booleans the Python way.
  auto deleted = midclt({"call", "vm.device.delete", std::to_string(vnc.at("id").as_int64())});
  EXPECT_EQ(deleted.exit_code, 0) << deleted.err;
  EXPECT_EQ(deleted.out, "True\n");
  auto del = midclt({"call", "vm.device.delete", std::to_string(raw.at("id").as_int64()),
                     R"({"zvol": true, "raw_file": true, "force": false})"});
  EXPECT_NE(del.exit_code, 0);  // a RAW device has no zvol
  EXPECT_NE(del.err.find("The device is not a disk and has no zvol to destroy."), std::string::npos) << del.err;
  call("vm.delete", {id});
}

}  // namespace
}  // namespace vm_it
