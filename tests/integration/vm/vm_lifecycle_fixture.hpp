#pragma once
// A real daemon running real QEMU (TCG here) for lifecycle tests: small diskless SeaBIOS VMs,
// the tiny ACPI-honouring guest, event waiting with deadlines, and a raw QMP probe on the VM's
// debug socket so a test can ask QEMU itself, not the daemon, what state it is in.
#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>

#include <boost/json.hpp>

#include "support/daemon_process.hpp"
#include "support/rpc_client.hpp"

namespace vm_it {

namespace json = boost::json;

class VmLifecycleTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite();
  static void TearDownTestSuite();
  void TearDown() override;  // powers off every VM the test started

  static mw::test::RpcClient client() { return mw::test::RpcClient::unix_socket(daemon_->socket_path()); }
  static json::value call(const std::string& method, json::array params = {});

  // A diskless SeaBIOS VM (its firmware ignores the ACPI power button); `extra` merges into vm.create.
  static int64_t create_vm(const std::string& name, json::object extra = {});
  // The tiny guest (tests/support/tinyguest): boots a kernel that powers off on the power button.
  static int64_t create_tiny_guest(const std::string& name);
  static json::object status(int64_t id) { return call("vm.status", {id}).as_object(); }
  static std::string uuid_of(int64_t id);
  static std::filesystem::path vm_dir(int64_t id) { return daemon_->state_dir() / "vm" / uuid_of(id); }

  // Runs a job method to its end (legacy_jobs off, core.job_wait); rethrows its error.
  static json::value run_job(const std::string& method, json::array params);
  // The "[ERRNO] message" of a failing call ("" when it succeeds).
  static std::string error_of(const std::string& method, json::array params);

  static bool process_alive(int pid) { return ::kill(pid, 0) == 0; }
  static bool eventually(const std::function<bool()>& predicate, std::chrono::milliseconds timeout);

  static inline std::unique_ptr<mw::test::DaemonProcess> daemon_;
  static inline std::filesystem::path storage_;
};

// Waits for a vm.query `changed` event of `id` whose status.state is `state`.
// Returns the time it took, or nullopt at the deadline.
std::optional<std::chrono::milliseconds> wait_for_state(mw::test::RpcClient& subscriber, int64_t id,
                                                        const std::string& state, std::chrono::milliseconds timeout);

// Asks QEMU over the VM's debug QMP socket: the "status" of query-status ("running", "paused").
std::string qmp_status(const std::filesystem::path& socket);

// The directory holding vmlinuz + initrd.img (built on first use); throws when it cannot be built.
std::filesystem::path tiny_guest_dir();

}  // namespace vm_it
