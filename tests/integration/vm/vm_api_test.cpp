// and the validation messages of 6.2 / 6.7 against the real daemon.
#include "vm_daemon_fixture.hpp"

namespace vm_it {
namespace {

using ::testing::ElementsAre;

class VmApiTest : public VmDaemonTest {};

TEST_F(VmApiTest, CreateEchoesEverySubmittedKey_8_19) {
  auto submitted =
      js(R"({"name": "vm01", "description": "desc", "vcpus": 1, "memory": 512, "bootloader": "UEFI", "autostart": false})")
          .as_object();
  int64_t id = call("vm.create", {submitted}).as_object().at("id").as_int64();
  auto got = call("vm.query", {js(R"([["id", "=", )" + std::to_string(id) + "]]"), js(R"({"get": true})")}).as_object();
  for (const auto& kv : submitted) EXPECT_EQ(got.at(kv.key()), kv.value()) << kv.key();
  EXPECT_EQ(got.at("status"), js(R"({"state": "STOPPED", "pid": null, "domain_state": null})"));
  EXPECT_EQ(got.at("devices"), json::array{});
  call("vm.delete", {id});
}

TEST_F(VmApiTest, DevicesReadBackAsCreated_8_20_8_21) {
  int64_t id = create_vm("devs");
  auto display =
      call("vm.device.create",
           {js(R"({"vm": )" + std::to_string(id) +
               R"(, "attributes": {"dtype": "DISPLAY", "resolution": "1024x768", "password": "displaypw"}})")})
          .as_object();
  auto got = call("vm.device.query", {js(R"([["id", "=", )" + std::to_string(display.at("id").as_int64()) + "]]"),
                                      js(R"({"get": true})")});
  EXPECT_EQ(got.as_object().at("vm"), id);
  EXPECT_EQ(got.as_object().at("attributes"), display.at("attributes"));
  EXPECT_EQ(display.at("attributes").as_object().at("password"), "displaypw");  // root sees secrets
  auto choices = call("vm.device.nic_attach_choices").as_object();
  std::string iface =
      choices.at("MACVLAN").as_array().empty() ? "" : std::string(choices.at("MACVLAN").as_array()[0].as_string());
  if (!iface.empty()) {
    auto nic = call("vm.device.create", {js(R"({"vm": )" + std::to_string(id) +
                                            R"(, "attributes": {"dtype": "NIC", "nic_attach": ")" + iface + R"("}})")});
    int64_t nic_id = nic.as_object().at("id").as_int64();
    EXPECT_EQ(call("vm.device.get_instance", {nic_id}), nic);
    EXPECT_EQ(call("vm.device.delete", {nic_id}), json::value(true));
    EXPECT_EQ(call("vm.device.query", {js(R"([["id", "=", )" + std::to_string(nic_id) + "]]")}), json::array{});
  }
  EXPECT_THAT(
      extra_of(
          "vm.device.create",
          {js(R"({"vm": )" + std::to_string(id) +
              R"(, "attributes": {"dtype": "DISK", "create_zvol": true, "zvol_name": "tank/DISK_for_vm01", "zvol_volsize": 1048576}})")}),
      ElementsAre(t("attributes.create_zvol",
                    "ZFS is not available on this system: create the block device first and pass its path.")));
  call("vm.delete", {id});
}

TEST_F(VmApiTest, UpdateCloneConsoleDelete_8_27_8_28_8_29) {
  int64_t id = create_vm("vm27");
  call("vm.device.create", {js(R"({"vm": )" + std::to_string(id) + R"(, "attributes": {"dtype": "NIC"}})")});
  call("vm.update", {id, js(R"({"memory": 768})")});
  EXPECT_EQ(call("vm.query", {js(R"([["id", "=", )" + std::to_string(id) + "]]"), js(R"({"get": true})")})
                .as_object()
                .at("memory"),
            768);
  EXPECT_EQ(call("vm.clone", {id, "vm27_clone"}), json::value(true));
  auto clone = call("vm.query", {js(R"([["name", "=", "vm27_clone"]])"), js(R"({"get": true})")}).as_object();
  int64_t clone_id = clone.at("id").as_int64();
  EXPECT_EQ(call("vm.get_console", {clone_id}), json::value(std::to_string(clone_id) + "_vm27_clone"));
  EXPECT_EQ(clone.at("status").as_object().at("state"), "STOPPED");
  for (int64_t vm : {id, clone_id}) {
    EXPECT_TRUE(call("vm.delete", {vm}).is_null());
    EXPECT_EQ(call("vm.device.query", {js(R"([["vm", "=", )" + std::to_string(vm) + "]]")}), json::array{});
  }
}

TEST_F(VmApiTest, InfoEndpointsReturnTheDocumentedTypes_8_30_8_31) {
  EXPECT_TRUE(call("vm.flags").as_object().contains("intel_vmx"));
  EXPECT_TRUE(call("vm.flags").as_object().contains("amd_rvi"));
  EXPECT_TRUE(call("vm.cpu_model_choices").as_object().contains("EPYC"));
  auto boot = call("vm.bootloader_options").as_object();
  EXPECT_TRUE(boot.contains("UEFI") && boot.contains("UEFI_CSM"));
  auto machines = call("vm.guest_architecture_and_machine_choices").as_object();
  EXPECT_TRUE(machines.at("x86_64").is_array());
  EXPECT_TRUE(machines.at("i686").is_array());
  EXPECT_TRUE(call("vm.maximum_supported_vcpus").is_int64());
  auto wizard = call("vm.port_wizard").as_object();
  EXPECT_TRUE(wizard.at("port").is_int64() && wizard.at("web").is_int64());
  EXPECT_TRUE(call("vm.random_mac").is_string());
  auto res = call("vm.resolution_choices").as_object();
  EXPECT_TRUE(res.contains("1920x1200") && res.contains("640x480"));
  auto binds = call("vm.device.bind_choices").as_object();
  EXPECT_TRUE(binds.contains("0.0.0.0") && binds.contains("::"));
  EXPECT_TRUE(call("vm.device.iommu_enabled").is_bool());
  EXPECT_TRUE(call("vm.device.iotype_choices").as_object().contains("NATIVE"));
  EXPECT_TRUE(call("vm.device.nic_attach_choices").is_object());
  EXPECT_TRUE(call("vm.device.usb_passthrough_choices").is_object());
  EXPECT_TRUE(call("vm.device.passthrough_device_choices").is_object());
  EXPECT_TRUE(call("vm.device.usb_controller_choices").as_object().contains("qemu-xhci"));
  EXPECT_TRUE(call("vm.virtualization_details").as_object().at("supported").is_bool());
  EXPECT_TRUE(call("vm.device.disk_choices").is_object());
  EXPECT_TRUE(call("vm.bootloader_ovmf_choices").as_object().contains("OVMF_CODE_4M.fd"));
}

TEST_F(VmApiTest, ModelErrorsOfVmCreate) {
  EXPECT_THAT(extra_of("vm.create", {js(R"({"name": "m"})")}), ElementsAre(t("vm_create.memory", "Field required")));
  EXPECT_THAT(extra_of("vm.create", {js(R"({"name": "m", "memory": 10})")}),
              ElementsAre(t("vm_create.memory", "Input should be greater than or equal to 20")));
  EXPECT_THAT(extra_of("vm.create", {js(R"({"name": "m", "memory": 512, "shutdown_timeout": 301})")}),
              ElementsAre(t("vm_create.shutdown_timeout", "Input should be less than or equal to 300")));
  EXPECT_THAT(extra_of("vm.create", {js(R"({"name": "m", "memory": 512, "bootloader": "GRUB"})")}),
              ElementsAre(t("vm_create.bootloader", "Input should be 'UEFI_CSM' or 'UEFI'")));
  EXPECT_THAT(extra_of("vm.create", {js(R"({"name": "m", "memory": 512.0})")}),
              ElementsAre(t("vm_create.memory", "Input should be a valid integer")));
  EXPECT_THAT(extra_of("vm.create", {js(R"({"name": "m", "memory": 512, "devices": []})")}),
              ElementsAre(t("vm_create.devices", "Extra inputs are not permitted")));
  EXPECT_THAT(extra_of("vm.update", {1, js(R"({"enable_secure_boot": true})")}),
              ElementsAre(t("vm_update.enable_secure_boot", "Extra inputs are not permitted")));
}

// Argument names show in validation errors; they are TrueNAS's.
TEST_F(VmApiTest, ArgumentNamesInErrorsAreTrueNas) {
  EXPECT_THAT(extra_of("vm.delete", {1, js(R"({"zvol": true})")}),
              ElementsAre(t("options.zvol", "Extra inputs are not permitted")));
  EXPECT_THAT(extra_of("vm.get_vm_memory_info", {"1"}), ElementsAre(t("id", "Input should be a valid integer")));
  EXPECT_THAT(extra_of("vm.log_file_path", {"1"}), ElementsAre(t("id", "Input should be a valid integer")));
  auto first_attribute = [](const std::string& method, json::array params) {
    auto extra = extra_of(method, std::move(params));
    return extra.empty() ? std::string() : std::get<0>(extra.front());
  };
  EXPECT_EQ(first_attribute("vm.device.virtual_size", {js(R"({"path": 5})")}).rfind("vm_virtual_size", 0), 0u);
  // vm.device.convert is a job: its answer waits for the job when legacy_jobs is off.
  auto c = client();
  c.call("core.set_options", {js(R"({"legacy_jobs": false})")});
  try {
    c.call("vm.device.convert", {js(R"({"source": "/a.qcow2"})")});
    ADD_FAILURE() << "convert without a destination succeeded";
  } catch (const mw::test::RpcError& e) {
    EXPECT_EQ(std::string(e.data.at("extra").at(0).at(0).as_string()).rfind("vm_convert", 0), 0u) << e.reason();
  }
}

// TrueNAS checks cpuset, nodeset and cpu_model for truth: "" is accepted like null.
TEST_F(VmApiTest, EmptyCpusetAndCpuModelAreAcceptedLikeNull) {
  auto vm =
      call("vm.create", {js(R"({"name": "emptycpu", "memory": 256, "cpuset": "", "nodeset": "", "cpu_model": ""})")})
          .as_object();
  EXPECT_EQ(vm.at("cpuset"), "");
  EXPECT_EQ(vm.at("cpu_model"), "");
  auto updated = call("vm.update", {vm.at("id"), js(R"({"cpuset": "", "cpu_model": ""})")}).as_object();
  EXPECT_EQ(updated.at("cpuset"), "");
  call("vm.delete", {vm.at("id")});
}

TEST_F(VmApiTest, PluginErrorsOfVmCreateComeTogether) {
  create_vm("dup");
  auto f = failure("vm.create", {js(R"({"name": "dup", "memory": 512, "min_memory": 600, "command_line_args": "'",
      "vcpus": 16, "cores": 4, "threads": 4, "cpu_mode": "HOST-MODEL", "cpu_model": "EPYC", "pin_vcpus": true,
      "bootloader_ovmf": "NOPE.fd"})")});
  EXPECT_EQ(f.code, -32602);
  EXPECT_THAT(f.extra,
              ElementsAre(t("vm_create.min_memory", "Minimum memory should not be greater than defined/maximum memory"),
                          t("vm_create.command_line_args", "Parse error: No closing quotation"),
                          t("vm_create.vcpus",
                            "Maximum 255 vcpus are supported.Please ensure the product of \"vm_create.vcpus\", "
                            "\"vm_create.cores\" and \"vm_create.threads\" is less than 255."),
                          t("vm_create.cpu_model",
                            "This attribute should not be specified when \"cpu_mode\" is not \"CUSTOM\"."),
                          t("vm_create.name", "This name already exists.", 17),
                          t("vm_create.cpuset", "Must be specified when \"vm_create.pin_vcpus\" is set."),
                          t("vm_create.bootloader_ovmf", "Invalid bootloader ovmf choice specified")));
  EXPECT_THAT(extra_of("vm.create", {js(R"({"name": "x y", "memory": 512, "arch_type": "sparc64"})")}),
              ElementsAre(t("vm_create.arch_type", "Specified architecture type is not supported on this system"),
                          t("vm_create.name", "Only alphanumeric characters are allowed.")));
  EXPECT_THAT(
      extra_of(
          "vm.create",
          {js(R"({"name": "sb", "memory": 512, "enable_secure_boot": true, "bootloader_ovmf": "OVMF_CODE_4M.fd"})")}),
      ElementsAre(t("vm_create.bootloader_ovmf",
                    "Select a bootloader_ovmf that supports secure boot i.e OVMF_CODE_4M.secboot.fd")));
  EXPECT_THAT(extra_of("vm.create", {js(R"({"name": "m", "memory": 512, "machine_type": "q35"})")}),
              ElementsAre(t("vm_create.arch_type", "Must be specified when \"vm_create.machine_type\" is set")));
  EXPECT_THAT(extra_of("vm.create", {js(R"({"name": "m", "memory": 512, "cpu_model": "NotACpu"})")}),
              ElementsAre(t("vm_create.cpu_model", "Please select a valid CPU model.")));
  EXPECT_THAT(extra_of("vm.create", {js(R"({"name": "m", "memory": 512, "uuid": "nope"})")}),
              ElementsAre(t("vm_create.uuid", "Value error, UUID is not valid version 4")));
}

// Integer overflow: memory x 1 MiB and vcpus x cores x threads used to wrap and pass the checks.
TEST_F(VmApiTest, HugeMemoryIsAValidationErrorAndNothingIsStored) {
  // 2^44 MiB is 2^64 bytes: it used to wrap to 0 and pass every memory check.
  for (const char* memory : {"17592186044416", "9223372036854775807", "18446744073709551615", "1e300"}) {
    auto f = failure("vm.create", {js(std::string(R"({"name": "hugemem", "memory": )") + memory + "}")});
    EXPECT_EQ(f.code, -32602) << memory;
    ASSERT_EQ(f.extra.size(), 1u) << memory << ": " << f.reason;
    EXPECT_EQ(std::get<0>(f.extra[0]), "vm_create.memory") << memory;
    EXPECT_EQ(std::get<1>(f.extra[0]), std::string(memory) == "1e300"
                                           ? "Input should be a valid integer"
                                           : "Input should be less than or equal to 4294967296");
  }
  auto min = failure("vm.create", {js(R"({"name": "hugemem", "memory": 256, "min_memory": 17592186044416})")});
  ASSERT_FALSE(min.extra.empty()) << min.reason;
  EXPECT_EQ(std::get<0>(min.extra[0]), "vm_create.min_memory");
  EXPECT_TRUE(call("vm.query", {js(R"([["name", "=", "hugemem"]])")}).as_array().empty());
  int64_t id = create_vm("smallmem");
  auto f = failure("vm.update", {id, js(R"({"memory": 17592186044416})")});
  ASSERT_EQ(f.extra.size(), 1u) << f.reason;
  EXPECT_EQ(std::get<0>(f.extra[0]), "vm_update.memory");
  EXPECT_EQ(call("vm.get_instance", {id}).at("memory"), json::value(256));
  call("vm.delete", {id});
}

TEST_F(VmApiTest, HugeVcpuCountsAreAValidationErrorAndNothingIsStored) {
  const std::string message =
      "Maximum 255 vcpus are supported.Please ensure the product of \"vm_create.vcpus\", \"vm_create.cores\" and "
      "\"vm_create.threads\" is less than 255.";
  // 2^32 x 2^32 is 2^64: it used to wrap to 0 and pass the 255 check.
  for (const char* counts : {R"("vcpus": 4294967296, "cores": 4294967296)", R"("vcpus": 18446744073709551615)",
                             R"("cores": 65536, "threads": 65536, "vcpus": 4294967296)"}) {
    EXPECT_THAT(extra_of("vm.create", {js(std::string(R"({"name": "hugecpu", "memory": 256, )") + counts + "}")}),
                ElementsAre(t("vm_create.vcpus", message)))
        << counts;
  }
  EXPECT_TRUE(call("vm.query", {js(R"([["name", "=", "hugecpu"]])")}).as_array().empty());
}

TEST_F(VmApiTest, MissingVmAndDevice) {
  auto f = failure("vm.get_instance", {987654});
  EXPECT_EQ(f.code, -32602);
  EXPECT_EQ(f.reason, "[ENOENT] None: VM 987654 does not exist");
  EXPECT_THAT(f.extra, ElementsAre(t("None", "VM 987654 does not exist", 2)));
  EXPECT_THAT(extra_of("vm.device.get_instance", {987654}),
              ElementsAre(t("None", "VMDevice 987654 does not exist", 2)));
  auto console = failure("vm.get_console", {987654});
  EXPECT_EQ(console.code, -32001);
  EXPECT_EQ(console.reason, "MatchNotFound()");
}

TEST_F(VmApiTest, DeviceValidationMessages) {
  int64_t id = create_vm("devval");
  auto dev = [&](const std::string& attributes) {
    return extra_of("vm.device.create",
                    {js(R"({"vm": )" + std::to_string(id) + R"(, "attributes": )" + attributes + "}")});
  };
  EXPECT_THAT(
      dev(R"({"dtype": "DISPLAY", "port": 80})"),
      ElementsAre(t("vm_device_create.attributes.DISPLAY.port", "Input should be greater than or equal to 5900")));
  EXPECT_THAT(dev("{}"), ElementsAre(t("vm_device_create.attributes.dtype", "Field required")));
  EXPECT_THAT(
      dev(R"({"dtype": "NIC", "mac": "00:a0:98:xx:xx:xx"})"),
      ElementsAre(
          t("vm_device_create.attributes.NIC.mac",
            "Assertion failed, MAC address must be a colon-separated hexadecimal value (e.g. 00:a0:99:7e:bb:8a).")));
  EXPECT_THAT(dev(R"({"dtype": "NIC", "mac": "ff:00:00:00:00:01"})"),
              ElementsAre(t("attributes.mac", "MAC address must not start with `ff`")));
  EXPECT_THAT(dev(R"({"dtype": "NIC", "nic_attach": "nosuchif0"})"),
              ElementsAre(t("attributes.nic_attach", "Not a valid choice.")));
  EXPECT_THAT(dev(R"({"dtype": "DISPLAY", "type": "VNC", "password": "123456789"})"),
              ElementsAre(t("attributes.password", "Password for VNC display devices must be 8 characters or less")));
  EXPECT_THAT(dev(R"({"dtype": "DISPLAY", "bind": "203.0.113.1"})"),
              ElementsAre(t("attributes.bind", "Requested bind address is not valid")));
  EXPECT_THAT(dev(R"({"dtype": "DISPLAY", "port": 6000, "web_port": 6000})"),
              ElementsAre(t("attributes.port", "Spice server port must not be same as web port")));
  EXPECT_THAT(
      dev(R"({"dtype": "CDROM", "path": "/etc/passwd"})"),
      ElementsAre(t("attributes.path", "The path must reside within a storage root (" + storage_.string() + ")")));
  EXPECT_THAT(
      dev(R"({"dtype": "CDROM", "path": ")" + storage_.string() + R"(/../etc/passwd"})"),
      ElementsAre(t("attributes.path", "The path must reside within a storage root (" + storage_.string() + ")")));
  EXPECT_THAT(dev(R"({"dtype": "CDROM", "path": ")" + storage_.string() + R"(/iso/none.iso"})"),
              ElementsAre(t("attributes.path", "Path " + storage_.string() + "/iso/none.iso does not exist", 2)));
  EXPECT_THAT(dev(R"({"dtype": "RAW", "path": ")" + storage_.string() + R"(/r.img", "size": 1000})"),
              ElementsAre(t("attributes.size", "Size must be a multiple of logical sector size (512 bytes).")));
  EXPECT_THAT(dev(R"({"dtype": "USB"})"),
              ElementsAre(t("attributes.usb", "Either device or product_id and vendor_id  must be specified")));
  EXPECT_THAT(dev(R"({"dtype": "PCI", "pptdev": "0000:99:00.0"})"),
              ::testing::Contains(t("attributes.pptdev", "Not a valid choice. The PCI device 0000:99:00.0 not found")));
  EXPECT_THAT(extra_of("vm.device.create", {js(R"({"vm": 987654, "attributes": {"dtype": "NIC"}})")}),
              ElementsAre(t("vm_device_create.vm", "VM 987654 does not exist", 2)));
  auto nic = call("vm.device.create", {js(R"({"vm": )" + std::to_string(id) + R"(, "attributes": {"dtype": "NIC"}})")});
  EXPECT_THAT(extra_of("vm.device.update", {nic.as_object().at("id"), js(R"({"attributes": {"dtype": "USB"}})")}),
              ElementsAre(t("attributes.dtype", "Device type cannot be changed")));
  call("vm.delete", {id});
}

TEST_F(VmApiTest, CrudEventsReachSubscribers) {
  auto c = client();
  c.call("core.subscribe", {"vm.query"});
  int64_t id = create_vm("evented");
  auto note = c.next_notification(std::chrono::seconds(5));
  ASSERT_TRUE(note.has_value());
  const auto& params = note->at("params").as_object();
  EXPECT_EQ(params.at("collection"), "vm.query");
  EXPECT_EQ(params.at("msg"), "added");
  EXPECT_EQ(params.at("id"), id);
  EXPECT_EQ(params.at("fields").as_object().at("name"), "evented");
  call("vm.delete", {id});
  note = c.next_notification(std::chrono::seconds(5));
  ASSERT_TRUE(note.has_value());
  EXPECT_EQ(note->at("params").as_object().at("msg"), "removed");
}

}  // namespace
}  // namespace vm_it
