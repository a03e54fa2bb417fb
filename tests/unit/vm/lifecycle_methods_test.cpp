// vm.* runtime methods through the plugin's method table, on the in-memory hypervisor: the
// declared policy (roles, job flags and locks), events on state changes, delete with force,
// display devices, and clone copying RAW images.
#include "plugin_fixture.hpp"

namespace mw::vm::testing {
namespace {

class LifecycleMethodsTest : public VmPluginTest {
 protected:
  LifecycleMethodsTest() { real_runtime = true; }

  std::string error_of(const std::function<void()>& f) {
    try {
      f();
    } catch (const CallError& e) {
      return "[" + errno_name(e.errnum()) + "] " + e.message();
    }
    return "no error";
  }
  std::vector<std::string> changed_states(int64_t id) {
    std::vector<std::string> out;
    for (const auto& e : ctx->bus.take())
      if (e.collection == "vm.query" && e.kind == EventKind::Changed && e.id == id && e.fields)
        out.push_back(std::string(e.fields->at("status").at("state").as_string()));
    return out;
  }
};

TEST_F(LifecycleMethodsTest, DeclaresRolesAndJobsAsTheSpecSays) {
  for (const char* m : {"vm.start", "vm.poweroff", "vm.reset", "vm.suspend", "vm.resume", "vm.stop", "vm.restart"}) {
    EXPECT_EQ(ctx->method(m).roles, std::vector<std::string>{"VM_WRITE"}) << m;
  }
  for (const char* m : {"vm.status", "vm.get_memory_usage", "vm.get_vm_memory_info", "vm.get_vmemory_in_use",
                        "vm.get_available_memory", "vm.get_guest_network_interfaces", "vm.get_display_devices"}) {
    EXPECT_EQ(ctx->method(m).roles, std::vector<std::string>{"VM_READ"}) << m;
    EXPECT_FALSE(ctx->method(m).job) << m;
  }
  EXPECT_FALSE(ctx->method("vm.start").job);
  ASSERT_TRUE(ctx->method("vm.stop").job);
  EXPECT_EQ(ctx->method("vm.stop").job_lock(json::array{7}), "stop_vm_7");
  ASSERT_TRUE(ctx->method("vm.restart").job);
  EXPECT_EQ(ctx->method("vm.restart").job_lock(json::array{7}), "restart_vm_7");
  EXPECT_TRUE(ctx->methods_.contains("vm.device.usb_passthrough_device"));
}

TEST_F(LifecycleMethodsTest, StateChangesArePublishedAsVmQueryChanged) {
  auto id = create_vm("evt");
  ctx->bus.take();
  call("vm.start", {id});
  EXPECT_EQ(changed_states(id), (std::vector<std::string>{"STARTING", "RUNNING"}));
  call("vm.suspend", {id});
  call("vm.resume", {id});
  EXPECT_EQ(changed_states(id), (std::vector<std::string>{"SUSPENDED", "RUNNING"}));
  hypervisor->domain(std::string(call("vm.get_instance", {id}).at("uuid").as_string()))->kill_from_outside(9);
  EXPECT_EQ(changed_states(id), (std::vector<std::string>{"ERROR"}));
  EXPECT_EQ(call("vm.status", {id}).at("domain_state"), "CRASHED");
}

TEST_F(LifecycleMethodsTest, DeleteWithForceStopsARunningVmFirst) {
  auto id = create_vm("doomed");
  call("vm.start", {id});
  EXPECT_EQ(error_of([&] {
              call("vm.delete", {id, json::object{}});
            }),
            "[EBUSY] 'doomed' is running; stop the VM first or pass force to delete it.");
  const auto uuid = std::string(call("vm.get_instance", {id}).at("uuid").as_string());
  auto domain = hypervisor->domain(uuid);  // the hypervisor only lists live domains
  ASSERT_NE(domain, nullptr);
  call("vm.delete", {id, json::object{{"force", true}}});
  EXPECT_FALSE(domain->alive());
  EXPECT_EQ(hypervisor->domain(uuid), nullptr);
  EXPECT_TRUE(call("vm.query").as_array().empty());
}

TEST_F(LifecycleMethodsTest, DisplayDevicesSayWhetherAPasswordIsSetAndRedactForReaders) {
  auto id = create_vm("shown");
  create_device(id, R"({"dtype": "DISPLAY", "type": "VNC", "password": "secret12"})");
  auto full = call("vm.get_display_devices", {id}).as_array();
  ASSERT_EQ(full.size(), 1u);
  EXPECT_EQ(full[0].at("attributes").at("password"), "secret12");
  EXPECT_EQ(full[0].at("attributes").at("password_configured"), true);
  auto redacted = call("vm.get_display_devices", {id}, {"VM_READ"}).as_array();
  EXPECT_EQ(redacted[0].at("attributes").at("password"), "********");
}

TEST_F(LifecycleMethodsTest, MemoryFiguresFollowTheRuntime) {
  auto a = create_vm("mem_a", "\"autostart\": false");
  create_vm("mem_b");  // autostart by default, not running
  EXPECT_EQ(call("vm.get_memory_usage", {a}), 0);
  call("vm.start", {a});
  EXPECT_EQ(call("vm.get_memory_usage", {a}).to_number<int64_t>(), 512 << 20);
  auto in_use = call("vm.get_vmemory_in_use").as_object();
  EXPECT_EQ(in_use.at("RNP"), 512 << 20);
  EXPECT_EQ(in_use.at("PRD"), 512 << 20);
  EXPECT_EQ(in_use.at("RPRD"), 0);
  EXPECT_EQ(error_of([&] { call("vm.get_vm_memory_info", {a}); }),
            "[EFAULT] Unable to retrieve 'mem_a' VM information as it is already running.");
  call("vm.poweroff", {a});
  EXPECT_EQ(error_of([&] { call("vm.get_memory_usage", {a}); }), "[EFAULT] Domain 'mem_a' is not running");
}

TEST_F(LifecycleMethodsTest, CloneCopiesRawImagesAndGivesNewMacs) {
  auto id = create_vm("orig");
  auto raw = file_in_storage("orig.img", 1 << 20);
  create_device(id, R"({"dtype": "RAW", "path": ")" + raw + R"(", "exists": true})");
  auto nic = create_device(id, R"({"dtype": "NIC", "mac": "00:a0:98:11:22:33"})");
  EXPECT_EQ(call("vm.clone", {id, "orig_copy"}), true);
  auto clone = call("vm.query", {js(R"([["name", "=", "orig_copy"]])"), js(R"({"get": true})")}).as_object();
  std::string raw_copy, mac;
  for (const auto& d : clone.at("devices").as_array()) {
    const auto& a = d.at("attributes");
    if (a.at("dtype") == "RAW") raw_copy = std::string(a.at("path").as_string());
    if (a.at("dtype") == "NIC") mac = std::string(a.at("mac").as_string());
  }
  EXPECT_EQ(raw_copy, (storage / "orig_orig_copy.img").string());
  EXPECT_TRUE(std::filesystem::exists(raw_copy));
  EXPECT_EQ(std::filesystem::file_size(raw_copy), 1u << 20);
  EXPECT_NE(mac, "00:a0:98:11:22:33");
  EXPECT_FALSE(mac.empty());
}

TEST_F(LifecycleMethodsTest, ConvertSwitchesADiskToVirtioOnlyWhileStopped) {
  auto id = create_vm("conv");
  auto raw = create_device(
      id, R"({"dtype": "RAW", "path": ")" + (storage / "conv.img").string() + R"(", "size": 4096, "type": "AHCI"})");
  ASSERT_TRUE(ctx->method("vm.device.convert").job);
  EXPECT_EQ(ctx->method("vm.device.convert").lock_queue_size, 1);
  call("vm.start", {id});
  EXPECT_EQ(error_of([&] { call("vm.device.convert", {raw.at("id")}); }),
            "[EBUSY] The VM must be stopped to change its disk bus to VIRTIO");
  call("vm.poweroff", {id});
  auto updated = call("vm.device.convert", {raw.at("id")}).as_object();
  EXPECT_EQ(updated.at("attributes").at("type"), "VIRTIO");
  EXPECT_EQ(call("vm.device.get_instance", {raw.at("id")}).at("attributes").at("type"), "VIRTIO");
}

TEST_F(LifecycleMethodsTest, ConvertBetweenImagesNeedsExactlyOneImage) {
  auto errors = errors_of([&] { call("vm.device.convert", {js(R"({"source": "/a.img", "destination": "/b.img"})")}); });
  EXPECT_EQ(errors,
            (std::vector<ErrorTriple>{{"vm.device.convert.source",
                                       "One path must be a disk image and the other must be a ZFS volume", EINVAL}}));
  auto existing = file_in_storage("there.qcow2");
  errors = errors_of([&] {
    call("vm.device.convert", {json::object{{"source", "/dev/null"}, {"destination", existing}}});
  });
  EXPECT_EQ(errors,
            (std::vector<ErrorTriple>{
                {"vm.device.convert.destination", "'" + existing + "' already exists and would be overwritten", EINVAL},
                {"vm.device.convert.source", "'/dev/null' is not a block device", EINVAL}}));
}

}  // namespace
}  // namespace mw::vm::testing
