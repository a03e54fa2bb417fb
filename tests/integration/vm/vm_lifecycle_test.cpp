// VM lifecycle against the real daemon over WebSocket, with real QEMU under TCG
// : states, pids, QEMU's own view over QMP, events, wrong-state errors, graceful and
// forced stops, a daemon killed with -9 re-attaching to its VMs, and QEMU killed from outside.
#include <gtest/gtest.h>
#include <signal.h>

#include <atomic>
#include <fstream>
#include <thread>

#include "support/file_text.hpp"
#include "support/http_get.hpp"
#include "vm_lifecycle_fixture.hpp"

namespace vm_it {
namespace {

using namespace std::chrono_literals;

using mw::test::process_cmdline;

TEST_F(VmLifecycleTest, DisklessVmStartsSuspendsResumesAndPowersOff) {
  const auto id = create_vm("life_basic");
  auto events = client();
  events.call("core.subscribe", {"vm.query"});
  EXPECT_EQ(status(id), json::parse(R"({"state":"STOPPED","pid":null,"domain_state":null})"));

  call("vm.start", {id});
  auto s = status(id);
  EXPECT_EQ(s.at("state"), "RUNNING");
  EXPECT_EQ(s.at("domain_state"), "RUNNING");
  ASSERT_TRUE(s.at("pid").is_int64());
  const int pid = static_cast<int>(s.at("pid").as_int64());
  EXPECT_TRUE(process_alive(pid));
  EXPECT_NE(process_cmdline(pid).find(uuid_of(id)), std::string::npos) << "pid is not this VM's QEMU";
  EXPECT_EQ(qmp_status(vm_dir(id) / "qmp-debug.sock"), "running");
  EXPECT_TRUE(wait_for_state(events, id, "RUNNING", 5s)) << "no changed event for RUNNING";
  EXPECT_EQ(call("vm.get_instance", {id}).at("status").at("pid"), pid);

  call("vm.suspend", {id});
  EXPECT_EQ(status(id), (json::object{{"state", "SUSPENDED"}, {"pid", pid}, {"domain_state", "PAUSED"}}));
  EXPECT_EQ(qmp_status(vm_dir(id) / "qmp-debug.sock"), "paused");
  EXPECT_TRUE(wait_for_state(events, id, "SUSPENDED", 5s));

  call("vm.resume", {id});
  EXPECT_EQ(status(id).at("state"), "RUNNING");
  EXPECT_EQ(qmp_status(vm_dir(id) / "qmp-debug.sock"), "running");
  EXPECT_TRUE(wait_for_state(events, id, "RUNNING", 5s));
  EXPECT_GT(call("vm.get_memory_usage", {id}).to_number<int64_t>(), 0);

  call("vm.poweroff", {id});
  EXPECT_EQ(status(id), json::parse(R"({"state":"STOPPED","pid":null,"domain_state":"SHUTOFF"})"));
  EXPECT_TRUE(wait_for_state(events, id, "STOPPED", 5s));
  EXPECT_TRUE(eventually([&] { return !process_alive(pid); }, 10s)) << "QEMU " << pid << " still runs";
}

TEST_F(VmLifecycleTest, WrongStateCallsGetTheDocumentedErrors) {
  const auto id = create_vm("life_wrong");
  EXPECT_EQ(error_of("vm.poweroff", {id}), "[EINVAL] Domain 'life_wrong' does not exist");
  EXPECT_EQ(error_of("vm.suspend", {id}), "[EINVAL] Domain 'life_wrong' does not exist");
  EXPECT_EQ(call("vm.get_memory_usage", {id}), 0);
  auto info = call("vm.get_vm_memory_info", {id}).as_object();
  EXPECT_EQ(info.at("total_memory_requested"), 64 * 1024 * 1024);

  call("vm.start", {id});
  EXPECT_EQ(error_of("vm.start", {id}), "[EFAULT] VM 'life_wrong' is already running");
  EXPECT_EQ(error_of("vm.resume", {id}), "[EINVAL] Domain 'life_wrong' is not suspended");
  EXPECT_EQ(error_of("vm.get_vm_memory_info", {id}),
            "[EFAULT] Unable to retrieve 'life_wrong' VM information as it is already running.");
  EXPECT_EQ(error_of("vm.delete", {id}),
            "[EBUSY] 'life_wrong' is running; stop the VM first or pass force to delete it.");
  auto in_use = call("vm.get_vmemory_in_use").as_object();
  EXPECT_EQ(in_use.at("RNP"), 64 * 1024 * 1024);  // running, not autostart
  call("vm.reset", {id});
  EXPECT_EQ(status(id).at("state"), "RUNNING");

  call("vm.poweroff", {id});
  EXPECT_EQ(error_of("vm.poweroff", {id}), "[EINVAL] Domain 'life_wrong' is not active");
  try {
    run_job("vm.stop", {id});
    ADD_FAILURE() << "vm.stop of a stopped VM succeeded";
  } catch (const mw::test::RpcError& e) {
    EXPECT_NE(e.reason().find("Domain 'life_wrong' is not active"), std::string::npos) << e.reason();
  }
  EXPECT_EQ(error_of("vm.get_guest_network_interfaces", {id}), "[EFAULT] VM " + std::to_string(id) + " is not running");
}

TEST_F(VmLifecycleTest, StartRefusesMemoryItCannotGuarantee) {
  const auto id = create_vm("life_huge", json::object{{"memory", 64 * 1024 * 1024}});  // 64 TiB
  EXPECT_EQ(error_of("vm.start", {id}), "[ENOMEM] Cannot guarantee memory for guest life_huge");
  EXPECT_EQ(status(id).at("state"), "STOPPED");
  EXPECT_GT(call("vm.get_available_memory").to_number<int64_t>(), 0);
}

TEST_F(VmLifecycleTest, StopForcesPowerOffAfterTimeoutWhenTheGuestIgnoresAcpi) {
  const auto id = create_vm("life_deaf");  // SeaBIOS without an OS: nobody listens to the button
  call("vm.start", {id});
  const int pid = static_cast<int>(status(id).at("pid").as_int64());
  auto events = client();
  events.call("core.subscribe", {"vm.query"});
  const auto t0 = std::chrono::steady_clock::now();
  std::thread stopper([&] { run_job("vm.stop", {id, json::object{{"force_after_timeout", true}}}); });
  EXPECT_TRUE(wait_for_state(events, id, "STOPPING", 5s)) << "STOPPING was not published";
  stopper.join();
  const auto took = std::chrono::steady_clock::now() - t0;
  EXPECT_GE(took, 4s) << "powered off before shutdown_timeout (5 s)";
  EXPECT_LT(took, 20s);
  EXPECT_EQ(status(id).at("state"), "STOPPED");
  EXPECT_TRUE(eventually([&] { return !process_alive(pid); }, 10s));
}

TEST_F(VmLifecycleTest, TinyGuestShutsDownGracefullyOnThePowerButton) {
  const auto id = create_tiny_guest("life_tiny");
  call("vm.start", {id});
  EXPECT_EQ(status(id).at("state"), "RUNNING");
  const auto t0 = std::chrono::steady_clock::now();
  run_job("vm.stop", {id});  // no force: only the guest itself can make this STOPPED
  const auto took = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0);
  EXPECT_EQ(status(id), json::parse(R"({"state":"STOPPED","pid":null,"domain_state":"SHUTOFF"})"))
      << "guest did not power off within its shutdown_timeout";
  RecordProperty("graceful_stop_ms", static_cast<int>(took.count()));
}

TEST_F(VmLifecycleTest, QemuKilledFromOutsideIsReportedAtOnce) {
  const auto id = create_vm("life_victim");
  call("vm.start", {id});
  const int pid = static_cast<int>(status(id).at("pid").as_int64());
  auto events = client();
  events.call("core.subscribe", {"vm.query"});
  ASSERT_EQ(::kill(pid, SIGKILL), 0);
  auto latency = wait_for_state(events, id, "ERROR", 10s);
  ASSERT_TRUE(latency) << "no changed event after QEMU was killed";
  // Every state change is published within 100 ms (the pidfd wakes the daemon at once).
  EXPECT_LT(*latency, 100ms) << "state change published late";
  RecordProperty("kill_event_ms", static_cast<int>(latency->count()));
  auto s = status(id);
  EXPECT_EQ(s.at("state"), "ERROR");
  EXPECT_EQ(s.at("domain_state"), "CRASHED");
  EXPECT_TRUE(s.at("pid").is_null());
  call("vm.start", {id});  // an ERROR VM can start again
  EXPECT_EQ(status(id).at("state"), "RUNNING");
}

TEST_F(VmLifecycleTest, ConcurrentStartAndPoweroffAreSerialised) {
  const auto id = create_vm("life_race");
  for (int round = 0; round < 3; ++round) {
    std::atomic<bool> go{false};
    bool poweroff_ok = false;
    std::string start_error;
    std::thread starter([&] {
      while (!go) std::this_thread::yield();
      try {
        call("vm.start", {id});
      } catch (const mw::test::RpcError& e) {
        start_error = e.reason();
      }
    });
    std::thread stopper([&] {
      while (!go) std::this_thread::yield();
      try {
        call("vm.poweroff", {id});
        poweroff_ok = true;
      } catch (const mw::test::RpcError&) {
      }
    });
    go = true;
    starter.join();
    stopper.join();
    EXPECT_EQ(start_error, "");
    // Whichever ran second saw the state the first left: poweroff succeeded exactly when it came after.
    const auto s = status(id);
    EXPECT_EQ(s.at("state"), poweroff_ok ? "STOPPED" : "RUNNING") << "round " << round;
    EXPECT_EQ(s.at("pid").is_null(), poweroff_ok);
    if (!poweroff_ok) call("vm.poweroff", {id});
  }
}

TEST_F(VmLifecycleTest, DaemonKilledWithSigkillReattachesToRunningVms) {
  const auto a = create_vm("life_keep_a");
  const auto b = create_vm("life_keep_b");
  std::thread ta([&] { call("vm.start", {a}); });  // independent VMs start in parallel
  call("vm.start", {b});
  ta.join();
  call("vm.suspend", {b});
  const auto pid_a = status(a).at("pid").as_int64();
  const auto pid_b = status(b).at("pid").as_int64();

  daemon_->kill9();
  ASSERT_TRUE(process_alive(static_cast<int>(pid_a)) && process_alive(static_cast<int>(pid_b)))
      << "VMs died with the daemon";
  daemon_->restart();

  EXPECT_EQ(status(a), (json::object{{"state", "RUNNING"}, {"pid", pid_a}, {"domain_state", "RUNNING"}}));
  EXPECT_EQ(status(b), (json::object{{"state", "SUSPENDED"}, {"pid", pid_b}, {"domain_state", "PAUSED"}}));
  // Still controllable after the re-attach.
  call("vm.resume", {b});
  EXPECT_EQ(qmp_status(vm_dir(b) / "qmp-debug.sock"), "running");
  auto events = client();
  events.call("core.subscribe", {"vm.query"});
  ::kill(static_cast<int>(pid_a), SIGKILL);  // no longer our child: seen through its pidfd
  EXPECT_TRUE(wait_for_state(events, a, "ERROR", 10s)) << "exit of an adopted QEMU went unnoticed";
  call("vm.poweroff", {b});
  EXPECT_EQ(status(b).at("state"), "STOPPED");
}

TEST_F(VmLifecycleTest, VmThatDiedWhileTheDaemonWasDownIsReportedWithTheReason) {
  const auto id = create_vm("life_lost");
  call("vm.start", {id});
  const auto pid = static_cast<int>(status(id).at("pid").as_int64());
  daemon_->kill9();
  ::kill(pid, SIGKILL);
  // Dead, or a zombie waiting for PID 1 (its command line is empty then).
  ASSERT_TRUE(eventually([&] { return process_cmdline(pid).empty(); }, 10s));
  daemon_->restart();
  auto s = status(id);
  EXPECT_EQ(s.at("state"), "ERROR");
  EXPECT_TRUE(s.at("pid").is_null());
  call("vm.start", {id});
  EXPECT_EQ(status(id).at("state"), "RUNNING");
}

TEST_F(VmLifecycleTest, RestartJobEndsRunningWithANewProcess) {
  const auto id = create_vm("life_restart");
  call("vm.start", {id});
  const auto before = status(id).at("pid").as_int64();
  run_job("vm.restart", {id});  // the firmware ignores ACPI: forced after shutdown_timeout
  auto s = status(id);
  EXPECT_EQ(s.at("state"), "RUNNING");
  EXPECT_NE(s.at("pid").as_int64(), before);
}

TEST_F(VmLifecycleTest, HealthAndMetricsReportRunningVms) {
  const auto id = create_vm("life_metrics");
  call("vm.start", {id});
  const auto health = mw::test::run_http_get(daemon_->socket_path(), "/health");
  ASSERT_NE(health.find(" 200 "), std::string::npos) << health;
  const auto body = json::parse(health.substr(health.find("\r\n\r\n") + 4)).as_object();
  EXPECT_EQ(std::string(body.at("hypervisor").as_string()).rfind("qemu 7.", 0), 0u) << body.at("hypervisor");
  // The fixture's daemon runs with --accelerator tcg, whatever the host has.
  EXPECT_EQ(body.at("accelerator"), "tcg");
  EXPECT_EQ(body.at("accelerator_reason"), "TCG forced by the configuration (accelerator = tcg)");
  EXPECT_EQ(body.at("kvm"), false);
  EXPECT_EQ(body.at("vms"), (json::object{{"total", 1}, {"running", 1}}));
  const auto metrics = mw::test::run_http_get(daemon_->socket_path(), "/metrics");
  EXPECT_NE(metrics.find("middlewared_vm_host_info{accelerator=\"tcg\",qemu_version=\"7."), std::string::npos)
      << metrics;
  EXPECT_NE(metrics.find("middlewared_vms{state=\"RUNNING\"} 1"), std::string::npos) << metrics;
  EXPECT_NE(metrics.find("middlewared_vm_cpu_seconds_total{vm=\"life_metrics\""), std::string::npos);
  EXPECT_NE(metrics.find("middlewared_vm_balloon_actual_bytes{vm=\"life_metrics\""), std::string::npos);
  EXPECT_NE(metrics.find("middlewared_vm_block_read_bytes_total{vm=\"life_metrics\""), std::string::npos);
}

TEST_F(VmLifecycleTest, PanickedGuestBecomesErrorWithQemusReason) {
  const auto dir = tiny_guest_dir();
  // pvpanic tells QEMU; panic=pause keeps the process, so only QEMU's own report can show the failure.
  const std::string args = "-kernel " + (dir / "vmlinuz").string() + " -initrd " + (dir / "initrd.img").string() +
                           " -append 'console=ttyS0 panic=-1 quiet tinyguest.noshell tinyguest.panic_after=1'"
                           " -device pvpanic -action panic=pause";
  const auto id = create_vm("life_panic", json::object{{"memory", 128}, {"command_line_args", args}});
  auto events = client();
  events.call("core.subscribe", {"vm.query"});
  call("vm.start", {id});
  ASSERT_TRUE(wait_for_state(events, id, "ERROR", 120s)) << "no ERROR event after the guest panicked";
  auto s = status(id);
  EXPECT_EQ(s.at("state"), "ERROR");
  EXPECT_EQ(s.at("domain_state"), "CRASHED");
  EXPECT_FALSE(s.at("pid").is_null()) << "QEMU itself is still there";
  ASSERT_TRUE(s.contains("error")) << s;
  EXPECT_NE(std::string(s.at("error").as_string()).find("the guest panicked (action pause)"), std::string::npos) << s;
  call("vm.poweroff", {id});
  EXPECT_EQ(status(id), json::parse(R"({"state":"STOPPED","pid":null,"domain_state":"SHUTOFF"})"));
}

}  // namespace
}  // namespace vm_it

namespace vm_it {
namespace {

// vm.stats: a subscriber gets, once a second per running VM, its CPU %, memory and throughput.
TEST_F(VmLifecycleTest, StatsEventsCarryCpuMemoryAndThroughputOncePerSecond) {
  const auto id = create_vm("life_stats");
  call("vm.start", {id});
  auto subscriber = client();
  subscriber.call("core.subscribe", {"vm.stats"});
  std::vector<json::object> seen;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (seen.size() < 3 && std::chrono::steady_clock::now() < deadline) {
    auto note = subscriber.next_notification(std::chrono::seconds(3));
    if (!note) break;
    const auto* params = note->if_contains("params");
    if (!params || params->at("collection") != "vm.stats" || params->at("id") != id) continue;
    seen.push_back(params->at("fields").as_object());
  }
  ASSERT_EQ(seen.size(), 3u);
  const auto& last = seen.back();
  EXPECT_EQ(last.at("name"), "life_stats");
  EXPECT_TRUE(last.at("cpu_percent").is_number()) << json::serialize(last);
  EXPECT_GE(last.at("cpu_percent").to_number<double>(), 0.0);
  EXPECT_GT(last.at("memory").at("rss").to_number<double>(), 1e6);
  EXPECT_EQ(last.at("memory").at("balloon_actual").to_number<double>(), 64.0 * 1024 * 1024);
  EXPECT_TRUE(last.at("disk").at("read_bytes_per_second").is_number());
  EXPECT_TRUE(last.at("net").at("receive_bytes_per_second").is_null());  // no bridged NIC
  // About a second apart.
  const double gap = last.at("time").to_number<double>() - seen[1].at("time").to_number<double>();
  EXPECT_GT(gap, 0.5);
  EXPECT_LT(gap, 2.5);
}

}  // namespace
}  // namespace vm_it
