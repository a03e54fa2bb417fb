// QemuHypervisor with firmware-only VMs (SeaBIOS, nothing to boot): fast and independent of a guest OS.
#include <signal.h>

#include <thread>

#include <gtest/gtest.h>

#include "event_recorder.hpp"
#include "hypervisor/qemu/qemu_hypervisor.hpp"
#include "vm_fixture.hpp"

namespace mw::vm::hypervisor::testing {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using qemu::QemuHypervisor;
using qemu::QemuHypervisorOptions;

QemuHypervisorOptions options_in(const fs::path& dir) {
  QemuHypervisorOptions o;
  o.state_root = (dir / "state").string();
  o.facts = qemu::probe_host(qemu::AcceleratorMode::Tcg);  // runs on every host
  return o;
}

bool is_exit(const DomainEvent& e) { return e.event == "EXIT"; }

class Lifecycle : public ::testing::Test {
 protected:
  TempDir dir_;
  QemuHypervisor hypervisor_{options_in(dir_.path())};
};

TEST_F(Lifecycle, StartsPausesResumesAndPowersOffWithExitSeenAtOnce) {
  auto vm = vm_entry(1, "fw");
  auto domain = hypervisor_.start(vm, {});
  auto events = EventRecorder::on(*domain);
  EXPECT_EQ(domain->query_status(), DomainState::RUNNING);
  ASSERT_TRUE(process_exists(domain->pid()));
  EXPECT_NE(file_text("/proc/" + std::to_string(domain->pid()) + "/cmdline").find(*vm.uuid), std::string::npos);

  domain->pause();
  EXPECT_EQ(domain->query_status(), DomainState::PAUSED);
  auto stop = events->wait_for("STOP", 5s);
  ASSERT_TRUE(stop);
  EXPECT_EQ(stop->state, DomainState::PAUSED);
  domain->resume();
  EXPECT_EQ(domain->query_status(), DomainState::RUNNING);
  ASSERT_TRUE(events->wait_for("RESUME", 5s));

  const auto before = std::chrono::steady_clock::now();
  domain->poweroff();
  auto exit = events->wait_for(is_exit, 1s);
  ASSERT_TRUE(exit) << "no EXIT event within a second";
  EXPECT_LT(std::chrono::steady_clock::now() - before, 1s);
  EXPECT_EQ(exit->state, DomainState::SHUTOFF);
  EXPECT_EQ(exit->exit_code, 0);
  EXPECT_FALSE(domain->alive());
  EXPECT_EQ(domain->query_status(), DomainState::SHUTOFF);
  EXPECT_TRUE(
      events->wait_for([](const DomainEvent& e) { return e.event == "SHUTDOWN" && e.reason == "host-qmp-quit"; }, 1s));
}

TEST_F(Lifecycle, FirmwareThatIgnoresAcpiStaysUpAfterPowerdown) {
  auto domain = hypervisor_.start(vm_entry(2, "deaf"), {});
  auto events = EventRecorder::on(*domain);
  domain->powerdown();
  ASSERT_TRUE(events->wait_for("POWERDOWN", 5s));
  EXPECT_FALSE(domain->wait_exit(1500ms));
  EXPECT_EQ(domain->query_status(), DomainState::RUNNING);
  domain->poweroff();
  EXPECT_FALSE(domain->alive());
}

TEST_F(Lifecycle, KillFromOutsideIsReportedAsACrashWithTheSignal) {
  auto domain = hypervisor_.start(vm_entry(3, "victim"), {});
  auto events = EventRecorder::on(*domain);
  ASSERT_EQ(::kill(domain->pid(), SIGKILL), 0);
  auto exit = events->wait_for(is_exit, 2s);
  ASSERT_TRUE(exit);
  EXPECT_EQ(exit->state, DomainState::CRASHED);
  EXPECT_EQ(exit->signal, SIGKILL);
  EXPECT_EQ(domain->query_status(), DomainState::CRASHED);
  // A new QEMU for the same VM starts cleanly over the leftovers.
  auto again = hypervisor_.start(vm_entry(3, "victim"), {});
  EXPECT_EQ(again->query_status(), DomainState::RUNNING);
  again->poweroff();
}

TEST_F(Lifecycle, PoweroffFallsBackToSigkillWhenQemuDoesNotQuit) {
  auto options = options_in(dir_.path());
  options.timeouts.poweroff_grace = 300ms;
  QemuHypervisor impatient(options);
  auto domain = impatient.start(vm_entry(10, "frozen"), {});
  auto events = EventRecorder::on(*domain);
  ASSERT_EQ(::kill(domain->pid(), SIGSTOP), 0);  // QEMU can no longer answer `quit`
  const auto before = std::chrono::steady_clock::now();
  domain->poweroff();
  EXPECT_LT(std::chrono::steady_clock::now() - before, 5s);
  auto exit = events->wait_for(is_exit, 1s);
  ASSERT_TRUE(exit);
  EXPECT_EQ(exit->signal, SIGKILL);
  EXPECT_EQ(exit->state, DomainState::SHUTOFF);  // the stop we asked for, not a crash
  EXPECT_EQ(exit->reason.rfind("powered off (killed by signal 9", 0), 0u) << exit->reason;
}

TEST_F(Lifecycle, StartFailureCarriesQemusOwnMessage) {
  auto vm = vm_entry(4, "broken");
  vm.command_line_args = "-device nonexistent-dev";
  try {
    hypervisor_.start(vm, {});
    FAIL() << "started";
  } catch (const HypervisorError& e) {
    EXPECT_NE(std::string(e.what()).find("'nonexistent-dev' is not a valid device model name"), std::string::npos)
        << e.what();
    EXPECT_NE(std::string(e.what()).find("exit code 1"), std::string::npos) << e.what();
  }
}

TEST_F(Lifecycle, StartRefusesAVmThatIsAlreadyRunning) {
  auto vm = vm_entry(5, "twice");
  auto domain = hypervisor_.start(vm, {});
  EXPECT_THROW(hypervisor_.start(vm, {}), HypervisorError);
  domain->poweroff();
}

TEST_F(Lifecycle, ReattachesAfterADaemonRestartAndControlsTheVm) {
  auto vm = vm_entry(6, "survivor");
  int pid = 0;
  {
    QemuHypervisor first(options_in(dir_.path()));
    auto domain = first.start(vm, {});
    pid = domain->pid();
  }  // the "daemon" goes away: its QMP connection closes, QEMU keeps running
  ASSERT_TRUE(process_exists(pid));
  QemuHypervisor second(options_in(dir_.path()));
  auto domain = second.attach(vm);
  ASSERT_NE(domain, nullptr);
  EXPECT_EQ(domain->pid(), pid);
  auto events = EventRecorder::on(*domain);
  EXPECT_EQ(domain->query_status(), DomainState::RUNNING);
  domain->pause();
  EXPECT_EQ(domain->query_status(), DomainState::PAUSED);
  domain->resume();
  domain->poweroff();
  auto exit = events->wait_for(is_exit, 2s);
  ASSERT_TRUE(exit);
  EXPECT_EQ(exit->state, DomainState::SHUTOFF);  // SHUTDOWN seen, though not our child
  EXPECT_EQ(second.attach(vm), nullptr);
}

TEST_F(Lifecycle, AttachTreatsAStaleSocketAsADeadVmAndCleansUp) {
  auto vm = vm_entry(7, "stale");
  EXPECT_EQ(hypervisor_.attach(vm), nullptr);  // never started
  int pid = 0;
  {
    QemuHypervisor first(options_in(dir_.path()));
    pid = first.start(vm, {})->pid();
  }
  ASSERT_EQ(::kill(pid, SIGKILL), 0);
  const auto paths = hypervisor_.paths_for(vm);
  ASSERT_TRUE(fs::exists(paths.qmp_socket));  // SIGKILL leaves it behind
  ASSERT_TRUE(eventually([&] { return file_text("/proc/" + std::to_string(pid) + "/cmdline").empty(); }, 5s));
  EXPECT_EQ(hypervisor_.attach(vm), nullptr);
  EXPECT_FALSE(fs::exists(paths.qmp_socket));
  EXPECT_FALSE(fs::exists(paths.pidfile));
}

TEST_F(Lifecycle, ReportsBalloonAndPinsVcpuThreads) {
  auto vm = vm_entry(8, "pinned", 96);
  vm.cores = 2;
  vm.min_memory = 64;
  auto domain = hypervisor_.start(vm, {});
  EXPECT_EQ(domain->balloon_actual(), 96ull << 20);  // no guest driver: the balloon stays empty
  auto threads = domain->vcpu_threads();
  ASSERT_EQ(threads.size(), 2u);
  domain->pin_vcpus("1,0");
  for (std::size_t i = 0; i < threads.size(); ++i) {
    const auto status = file_text("/proc/" + std::to_string(domain->pid()) + "/task/" +
                                  std::to_string(threads[i].thread_id) + "/status");
    EXPECT_NE(status.find("Cpus_allowed_list:\t" + std::string(i == 0 ? "1" : "0") + "\n"), std::string::npos)
        << "vCPU " << i;
  }
  EXPECT_THROW(domain->pin_vcpus("0"), HypervisorError);
  domain->poweroff();
}

TEST_F(Lifecycle, GuestAgentCommandWithoutAnAgentTimesOutClearly) {
  auto domain = hypervisor_.start(vm_entry(9, "noagent"), {});
  try {
    domain->guest_agent_command(json::object{{"execute", "guest-ping"}}, 300ms);
    ADD_FAILURE() << "an agent answered";
  } catch (const HypervisorError& e) {
    EXPECT_STREQ(e.what(), "guest agent did not answer (is qemu-guest-agent running in the guest?)");
  }
  domain->poweroff();
  EXPECT_THROW(domain->guest_agent_command(json::object{{"execute", "guest-ping"}}, 300ms), HypervisorError);
}

}  // namespace
}  // namespace mw::vm::hypervisor::testing

namespace mw::vm::hypervisor::testing {
namespace {

class ReattachAndFacts : public ::testing::Test {
 protected:
  TempDir dir_;
  qemu::QemuHypervisor hypervisor_{options_in(dir_.path())};
};

TEST_F(ReattachAndFacts, ReattachExplainsAVmKilledWhileNobodyWatched) {
  auto vm = vm_entry(8, "lost");
  std::string reason;
  EXPECT_EQ(hypervisor_.reattach(vm, reason), nullptr);
  EXPECT_EQ(reason, "");  // never ran: nothing to explain
  int pid = 0;
  {
    qemu::QemuHypervisor first(options_in(dir_.path()));
    pid = first.start(vm, {})->pid();
  }
  ASSERT_EQ(::kill(pid, SIGKILL), 0);
  ASSERT_TRUE(eventually([&] { return file_text("/proc/" + std::to_string(pid) + "/cmdline").empty(); }, 5s));
  EXPECT_EQ(hypervisor_.reattach(vm, reason), nullptr);
  EXPECT_EQ(reason.rfind("QEMU exited while the daemon was not running", 0), 0u) << reason;
}

TEST_F(ReattachAndFacts, CleanShutdownLeavesNothingToExplain) {
  auto vm = vm_entry(9, "clean");
  hypervisor_.start(vm, {})->poweroff();
  std::string reason;
  EXPECT_EQ(hypervisor_.reattach(vm, reason), nullptr);
  EXPECT_EQ(reason, "");
}

TEST_F(ReattachAndFacts, AttachCandidatesAreTheVmsThatLeftRuntimeFilesOrCannotHaveAny) {
  auto running = vm_entry(21, "running");
  auto killed = vm_entry(22, "killed");
  auto clean = vm_entry(23, "clean");
  auto never = vm_entry(24, "never");
  auto no_uuid = vm_entry(25, "nouuid");
  no_uuid.uuid.reset();
  auto domain = hypervisor_.start(running, {});
  int killed_pid = 0;
  {
    qemu::QemuHypervisor first(options_in(dir_.path()));
    killed_pid = first.start(killed, {})->pid();
    first.start(clean, {})->poweroff();
  }
  ASSERT_EQ(::kill(killed_pid, SIGKILL), 0);
  ASSERT_TRUE(fs::exists(hypervisor_.paths_for(clean).dir)) << "a clean exit keeps the directory, not the files";

  qemu::QemuHypervisor second(options_in(dir_.path()));
  std::vector<std::string> names;
  for (const auto* vm : second.attach_candidates({&running, &killed, &clean, &never, &no_uuid}))
    names.push_back(vm->name);
  EXPECT_EQ(names, (std::vector<std::string>{"running", "killed", "nouuid"}));
  std::string reason;
  for (const auto* vm : {&clean, &never}) {
    EXPECT_EQ(second.reattach(*vm, reason), nullptr) << "a VM left out has nothing to attach";
    EXPECT_EQ(reason, "");
  }
  EXPECT_THROW(second.reattach(no_uuid, reason), HypervisorError);
  domain->poweroff();
}

TEST_F(ReattachAndFacts, ReportsVersionAcceleratorAndBlockStats) {
  EXPECT_EQ(hypervisor_.version().rfind("7.", 0), 0u) << hypervisor_.version();  // Debian 12's QEMU 7.2
  EXPECT_EQ(hypervisor_.accelerator(), "tcg");                                   // forced: see options_in()
  EXPECT_EQ(hypervisor_.accelerator_reason(), "TCG forced by the configuration (accelerator = tcg)");
  auto domain = hypervisor_.start(vm_entry(10, "stats"), {});
  EXPECT_TRUE(domain->monitor_command("query-blockstats", {}).is_array());
  domain->poweroff();
}

}  // namespace
}  // namespace mw::vm::hypervisor::testing
