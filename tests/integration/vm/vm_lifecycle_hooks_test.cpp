// What happens around the daemon's own start and stop, and the VM-wide
// operations that touch running QEMU: autostart, SIGTERM leaving VMs running by default or
// stopping them when configured, vm.clone copying RAW disks, vm.delete with force.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>

#include <fstream>
#include <thread>

#include "support/file_text.hpp"
#include "vm_lifecycle_fixture.hpp"

namespace vm_it {
namespace {

using namespace std::chrono_literals;

using mw::test::process_cmdline;

// Gone, or a zombie waiting for PID 1 to reap it (its command line is empty then).
bool process_gone(int pid) { return ::kill(pid, 0) != 0 || process_cmdline(pid).empty(); }

int pid_of(const json::object& status) { return static_cast<int>(status.at("pid").as_int64()); }

// SIGKILLs a QEMU the test may leave behind when it fails half-way.
struct KillAtExit {
  std::vector<int> pids;
  ~KillAtExit() {
    for (int pid : pids)
      if (!process_gone(pid)) ::kill(pid, SIGKILL);
  }
};

TEST_F(VmLifecycleTest, AutostartVmsStartWhenTheDaemonStarts) {
  const auto on = create_vm("life_auto_on", json::object{{"autostart", true}});
  const auto off = create_vm("life_auto_off");  // autostart false
  daemon_->restart();
  EXPECT_TRUE(eventually([&] { return status(on).at("state") == "RUNNING"; }, 30s))
      << "autostart VM not started: " << json::serialize(status(on));
  EXPECT_EQ(qmp_status(vm_dir(on) / "qmp-debug.sock"), "running");
  EXPECT_EQ(status(off), json::parse(R"({"state":"STOPPED","pid":null,"domain_state":null})"));
}

TEST_F(VmLifecycleTest, SigtermStopsEveryVmWhenStopVmsOnShutdownIsSet) {
  // This suite's daemon runs with [vm] stop_vms_on_shutdown = true.
  const auto running = create_vm("life_shut_run");   // ignores ACPI: powered off after 5 s
  const auto paused = create_vm("life_shut_pause");  // suspended: powered off at once
  std::thread t([&] { call("vm.start", {running}); });
  call("vm.start", {paused});
  t.join();
  call("vm.suspend", {paused});
  const int pid_running = pid_of(status(running)), pid_paused = pid_of(status(paused));
  KillAtExit guard{{pid_running, pid_paused}};

  const auto t0 = std::chrono::steady_clock::now();
  daemon_->stop();
  const auto took = std::chrono::steady_clock::now() - t0;
  EXPECT_TRUE(eventually([&] { return process_gone(pid_running) && process_gone(pid_paused); }, 5s))
      << "VMs outlived the daemon although stop_vms_on_shutdown is set";
  EXPECT_GE(took, 4s) << "the running VM was not given its shutdown_timeout";
  EXPECT_LT(took, 15s);

  daemon_->restart();
  EXPECT_EQ(status(running).at("state"), "STOPPED");
  EXPECT_EQ(status(paused).at("state"), "STOPPED");
}

TEST_F(VmLifecycleTest, SigtermLeavesVmsRunningByDefault) {
  mw::test::DaemonProcess daemon;  // no config: stop_vms_on_shutdown defaults to false
  auto rpc = [&](const std::string& method, json::array params = {}) {
    auto c = mw::test::RpcClient::unix_socket(daemon.socket_path());
    return c.call(method, std::move(params));
  };
  const auto id = rpc("vm.create", {json::object{{"name", "life_outlive"},
                                                 {"memory", 64},
                                                 {"bootloader", "UEFI_CSM"},
                                                 {"autostart", false},
                                                 {"ensure_display_device", false}}})
                      .at("id")
                      .as_int64();
  rpc("vm.start", {id});
  const int pid = pid_of(rpc("vm.status", {id}).as_object());
  KillAtExit guard{{pid}};

  daemon.stop();
  ASSERT_TRUE(process_alive(pid)) << "QEMU died with the daemon";
  daemon.restart();
  EXPECT_EQ(rpc("vm.status", {id}), (json::object{{"state", "RUNNING"}, {"pid", pid}, {"domain_state", "RUNNING"}}));
  rpc("vm.poweroff", {id});
  EXPECT_TRUE(eventually([&] { return process_gone(pid); }, 10s));
}

TEST_F(VmLifecycleTest, CloneCopiesRawDisksSparselyAndTheCloneBoots) {
  const auto id = create_vm("life_orig");
  const auto image = storage_ / "life_orig.img";
  call("vm.device.create",
       {json::object{{"vm", id},
                     {"attributes", json::object{{"dtype", "RAW"}, {"path", image.string()}, {"size", 8 << 20}}}}});
  call("vm.device.create", {json::object{{"vm", id}, {"attributes", json::object{{"dtype", "NIC"}}}}});
  {
    std::fstream f(image, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(1 << 20);
    f << "guest data";
  }

  EXPECT_EQ(call("vm.clone", {id, "life_copy"}), true);
  const auto copy =
      call("vm.query", {json::array{json::array{"name", "=", "life_copy"}}, json::object{{"get", true}}}).as_object();
  const auto original = call("vm.get_instance", {id}).as_object();
  std::string copy_path, copy_mac, original_mac;
  for (const auto& d : copy.at("devices").as_array()) {
    const auto& a = d.at("attributes");
    if (a.at("dtype") == "RAW") copy_path = std::string(a.at("path").as_string());
    if (a.at("dtype") == "NIC") copy_mac = std::string(a.at("mac").as_string());
  }
  for (const auto& d : original.at("devices").as_array())
    if (d.at("attributes").at("dtype") == "NIC") original_mac = std::string(d.at("attributes").at("mac").as_string());
  EXPECT_EQ(copy_path, (storage_ / "life_orig_life_copy.img").string());
  EXPECT_NE(copy_mac, original_mac);
  ASSERT_TRUE(std::filesystem::exists(copy_path));
  EXPECT_EQ(std::filesystem::file_size(copy_path), 8u << 20);
  std::ifstream in(copy_path, std::ios::binary);
  in.seekg(1 << 20);
  std::string word(10, '\0');
  in.read(word.data(), 10);
  EXPECT_EQ(word, "guest data");
  struct stat st {};
  ASSERT_EQ(::stat(copy_path.c_str(), &st), 0);
  EXPECT_LT(st.st_blocks * 512, 1 << 20) << "the copy filled the holes of a sparse image";

  // Both run at once, each on its own disk.
  const auto clone_id = copy.at("id").as_int64();
  std::thread t([&] { call("vm.start", {id}); });
  call("vm.start", {clone_id});
  t.join();
  EXPECT_EQ(status(id).at("state"), "RUNNING");
  EXPECT_EQ(status(clone_id).at("state"), "RUNNING");
  EXPECT_NE(process_cmdline(pid_of(status(clone_id))).find(copy_path), std::string::npos);
}

TEST_F(VmLifecycleTest, DeleteWithForceStopsARunningVmAndKeepsItsFiles) {
  const auto id = create_vm("life_doomed");
  const auto image = storage_ / "life_doomed.img";
  call("vm.device.create",
       {json::object{{"vm", id},
                     {"attributes", json::object{{"dtype", "RAW"}, {"path", image.string()}, {"size", 1 << 20}}}}});
  call("vm.start", {id});
  const int pid = pid_of(status(id));
  EXPECT_EQ(error_of("vm.delete", {id, json::object{}}),
            "[EBUSY] 'life_doomed' is running; stop the VM first or pass force to delete it.");
  EXPECT_EQ(call("vm.delete", {id, json::object{{"force", true}}}), nullptr);
  EXPECT_TRUE(eventually([&] { return process_gone(pid); }, 10s)) << "QEMU " << pid << " still runs";
  EXPECT_TRUE(call("vm.query", {json::array{json::array{"id", "=", id}}}).as_array().empty());
  EXPECT_TRUE(call("vm.device.query", {json::array{json::array{"vm", "=", id}}}).as_array().empty());
  EXPECT_TRUE(std::filesystem::exists(image)) << "vm.delete removed a disk image it was not asked to";
}

}  // namespace
}  // namespace vm_it
