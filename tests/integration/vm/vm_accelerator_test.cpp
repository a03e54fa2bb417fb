// The accelerator a daemon chooses, against the real host: `auto` must pick one that really runs an
// ordinary guest (a paravirtual-only /dev/kvm opens but never runs one), and a forced KVM that
// cannot work must refuse vm.start with the reason instead of starting a guest that hangs. No test
// here asserts which accelerator this host has.
#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <filesystem>
#include <fstream>
#include <thread>

#include "support/daemon_process.hpp"
#include "support/file_text.hpp"
#include "support/http_get.hpp"
#include "support/qemu_reaper.hpp"
#include "support/rpc_client.hpp"
#include "vm_lifecycle_fixture.hpp"

namespace vm_it {
namespace {

using namespace std::chrono_literals;
using mw::test::file_text;

std::unique_ptr<mw::test::DaemonProcess> daemon_with(const std::string& accelerator) {
  mw::test::DaemonOptions options;
  options.accelerator = accelerator;  // "": the configuration's default, auto
  options.config_text = "[vm]\nstop_vms_on_shutdown = true\n";
  return std::make_unique<mw::test::DaemonProcess>(options);
}

json::value call(mw::test::DaemonProcess& daemon, const std::string& method, json::array params = {}) {
  auto c = mw::test::RpcClient::unix_socket(daemon.socket_path());
  return c.call(method, std::move(params));
}

json::object health_of(mw::test::DaemonProcess& daemon) {
  const auto reply = mw::test::run_http_get(daemon.socket_path(), "/health");
  return json::parse(reply.substr(reply.find("\r\n\r\n") + 4)).as_object();
}

int64_t create_tiny_guest(mw::test::DaemonProcess& daemon, const std::string& name) {
  const auto dir = tiny_guest_dir();
  const std::string args = "-kernel " + (dir / "vmlinuz").string() + " -initrd " + (dir / "initrd.img").string() +
                           " -append 'console=ttyS0 panic=-1 quiet tinyguest.fastoff'";
  return call(daemon, "vm.create",
              {json::object{{"name", name},
                            {"memory", 128},
                            {"bootloader", "UEFI_CSM"},
                            {"autostart", false},
                            {"ensure_display_device", false},
                            {"command_line_args", args}}})
      .at("id")
      .as_int64();
}

TEST(VmAccelerator, AutoPicksAnAcceleratorThatBootsAnOrdinaryGuest) {
  auto daemon = daemon_with("");
  const auto health = health_of(*daemon);
  const std::string accelerator(health.at("accelerator").as_string());
  ASSERT_TRUE(accelerator == "kvm" || accelerator == "tcg") << health;
  EXPECT_EQ(health.at("kvm"), accelerator == "kvm");
  EXPECT_FALSE(health.at("accelerator_reason").as_string().empty());
  EXPECT_NE(daemon->log().find("vm: accelerator " + accelerator + ": "), std::string::npos)
      << "the choice and its reason are logged at start";

  const auto id = create_tiny_guest(*daemon, "auto_accel");
  call(*daemon, "vm.start", {id});
  const std::filesystem::path log(call(*daemon, "vm.log_file_path", {id}).as_string().c_str());
  const auto deadline = std::chrono::steady_clock::now() + 120s;
  while (file_text(log).find("TINYGUEST-READY") == std::string::npos && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(100ms);  // polling interval, not a wait for an outcome
  EXPECT_NE(file_text(log).find("TINYGUEST-READY"), std::string::npos)
      << "the guest never ran under " << accelerator << " (" << health.at("accelerator_reason") << "); console:\n"
      << file_text(log);
  call(*daemon, "vm.poweroff", {id});
}

TEST(VmAccelerator, ForcedKvmRefusesToStartWhereKvmCannotRunGuests) {
  auto daemon = daemon_with("kvm");
  if (call(*daemon, "vm.supports_virtualization").as_bool())
    GTEST_SKIP() << "KVM runs ordinary guests on this host: a forced KVM has nothing to refuse";
  EXPECT_EQ(health_of(*daemon).at("accelerator"), "kvm");
  const auto id = create_tiny_guest(*daemon, "forced_kvm");
  try {
    call(*daemon, "vm.start", {id});
    ADD_FAILURE() << "vm.start succeeded with a KVM that cannot run guests";
  } catch (const mw::test::RpcError& e) {
    EXPECT_NE(e.reason().find("KVM was forced (accelerator = kvm) but cannot run guests on this host: "),
              std::string::npos)
        << e.reason();
  }
  EXPECT_EQ(call(*daemon, "vm.status", {id}), json::parse(R"({"state":"STOPPED","pid":null,"domain_state":null})"));
  EXPECT_TRUE(mw::test::end_qemu_under(daemon->state_dir()).empty()) << "a QEMU was started anyway";
}

TEST(VmAccelerator, UnknownAcceleratorStopsTheDaemonWithOneClearLine) {
  try {
    auto daemon = daemon_with("fast");
    ADD_FAILURE() << "the daemon started with accelerator = fast";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("cannot start: [vm] accelerator: expected auto, kvm or tcg, got 'fast'"),
              std::string::npos)
        << e.what();
  }
}

}  // namespace
}  // namespace vm_it
