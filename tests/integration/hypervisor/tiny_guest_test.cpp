// The tiny Linux guest (tests/support/tinyguest) under QemuHypervisor: ACPI power-off and the
// interactive serial console. Kernel and initrd come in through the test-only facts hook.
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "event_recorder.hpp"
#include "hypervisor/qemu/qemu_hypervisor.hpp"
#include "vm_fixture.hpp"

namespace mw::vm::hypervisor::testing {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

constexpr auto kBootTimeout = 90s;  // ~3 s alone; TCG on 2 shared cores can be much slower

class TinyGuest : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto guest = tiny_guest();
    qemu::QemuHypervisorOptions o;
    o.state_root = (dir_.path() / "state").string();
    o.facts = qemu::probe_host(qemu::AcceleratorMode::Tcg);
    o.customize = [this, guest](qemu::HostFacts& facts, const vm::VmConfig&) {
      facts.kernel = (guest / "vmlinuz").string();
      facts.initrd = (guest / "initrd.img").string();
      facts.append = "console=ttyS0 panic=-1 quiet" + append_;
      facts.extra_args = extra_args_;
    };
    hypervisor_ = std::make_unique<qemu::QemuHypervisor>(o);
  }

  std::shared_ptr<Domain> boot(const vm::VmConfig& vm) {
    auto domain = hypervisor_->start(vm, {});
    const auto log = hypervisor_->paths_for(vm).serial_log;
    EXPECT_TRUE(eventually([&] { return file_text(log).find("TINYGUEST-READY") != std::string::npos; }, kBootTimeout))
        << "no TINYGUEST-READY; console:\n"
        << file_text(log);
    return domain;
  }

  TempDir dir_;
  std::string append_;                   // more kernel arguments for the next boot
  std::vector<std::string> extra_args_;  // more QEMU arguments for the next boot
  std::unique_ptr<qemu::QemuHypervisor> hypervisor_;
};

TEST_F(TinyGuest, PowersOffOnTheAcpiPowerButton) {
  auto domain = boot(vm_entry(11, "tiny", 128));
  auto events = EventRecorder::on(*domain);
  domain->powerdown();
  auto shutdown = events->wait_for("SHUTDOWN", 30s);
  ASSERT_TRUE(shutdown) << "guest ignored the power button";
  EXPECT_EQ(shutdown->reason, "guest-shutdown");
  auto exit = events->wait_for("EXIT", 10s);
  ASSERT_TRUE(exit);
  EXPECT_EQ(exit->state, DomainState::SHUTOFF);
  EXPECT_EQ(exit->exit_code, 0);
}

TEST_F(TinyGuest, SerialConsoleRunsTypedCommandsAndLogsTheBoot) {
  auto vm = vm_entry(12, "console", 128);
  auto domain = boot(vm);
  const auto paths = hypervisor_->paths_for(vm);
  int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::snprintf(addr.sun_path, sizeof addr.sun_path, "%s", paths.serial_socket.c_str());
  ASSERT_EQ(::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  // The shell computes the answer, so seeing it proves the command ran (not just an echo of input).
  const std::string command = "\necho HELLO-$((6*7))\n";
  ASSERT_EQ(::write(fd, command.data(), command.size()), static_cast<ssize_t>(command.size()));
  std::string output;
  const auto deadline = std::chrono::steady_clock::now() + 30s;
  while (output.find("HELLO-42") == std::string::npos && std::chrono::steady_clock::now() < deadline) {
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, 500) <= 0) continue;
    char chunk[512];
    auto n = ::read(fd, chunk, sizeof chunk);
    if (n <= 0) break;
    output.append(chunk, static_cast<std::size_t>(n));
  }
  ::close(fd);
  EXPECT_NE(output.find("HELLO-42"), std::string::npos) << output;
  const auto log = file_text(paths.serial_log);
  EXPECT_NE(log.find("TINYGUEST-READY"), std::string::npos);
  EXPECT_TRUE(eventually([&] { return file_text(paths.serial_log).find("HELLO-42") != std::string::npos; }, 5s));
  domain->poweroff();
}

// With a pvpanic device and panic=pause, QEMU keeps the process but will never run the guest again:
// that is a failure to report, not a pause to resume from.
TEST_F(TinyGuest, PanickedGuestIsReportedAsCrashedWithQemusReason) {
  append_ = " tinyguest.panic_after=1";
  extra_args_ = {"-device", "pvpanic", "-action", "panic=pause"};
  auto domain = boot(vm_entry(13, "panic", 128));
  auto events = EventRecorder::on(*domain);
  auto panicked = events->wait_for("GUEST_PANICKED", 60s);
  ASSERT_TRUE(panicked) << "the guest did not panic";
  EXPECT_EQ(panicked->state, DomainState::CRASHED);
  EXPECT_NE(panicked->reason.find("the guest panicked (action pause)"), std::string::npos) << panicked->reason;
  // The STOP that follows the panic must not turn the failure into a pause.
  EXPECT_TRUE(events->wait_for("STOP", 10s));
  EXPECT_EQ(domain->query_status(), DomainState::CRASHED);
  EXPECT_TRUE(domain->alive());
  domain->poweroff();
}

}  // namespace
}  // namespace mw::vm::hypervisor::testing
