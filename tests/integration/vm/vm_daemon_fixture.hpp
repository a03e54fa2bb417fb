#pragma once
// One real daemon per suite with its own storage root, plus helpers to call it and to read the
// [attribute, message, errno] triples of its validation errors.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sched.h>
#include <sys/mount.h>
#include <unistd.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <filesystem>
#include <memory>
#include <string>
#include <tuple>

#include "support/daemon_process.hpp"
#include "support/rpc_client.hpp"
#include "support/run_command.hpp"

namespace vm_it {

namespace json = boost::json;
using Triple = std::tuple<std::string, std::string, int>;

class VmDaemonTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    storage_ = std::filesystem::temp_directory_path() / ("mw_vm_it_" + std::to_string(::getpid()));
    std::filesystem::remove_all(storage_);
    std::filesystem::create_directories(storage_ / "iso");
    mw::test::DaemonOptions options;
    options.config_text = "[vm]\nstorage_roots = " + storage_.string() + "\n";
    daemon_ = std::make_unique<mw::test::DaemonProcess>(options);
  }
  static void TearDownTestSuite() {
    daemon_.reset();
    std::filesystem::remove_all(storage_);
  }

  static mw::test::RpcClient client() { return mw::test::RpcClient::unix_socket(daemon_->socket_path()); }
  static json::value call(const std::string& method, json::array params = {}) {
    auto c = client();
    return c.call(method, std::move(params));
  }
  static json::value js(const std::string& text) { return json::parse(text); }

  // The error of a failing call: (code, reason, extra triples).
  struct Failure {
    int code = 0;
    std::string reason;
    std::vector<Triple> extra;
  };
  static Failure failure(const std::string& method, json::array params) {
    try {
      call(method, std::move(params));
    } catch (const mw::test::RpcError& e) {
      Failure f{e.code, e.reason(), {}};
      if (e.data.is_object() && e.data.as_object().contains("extra") && e.data.as_object().at("extra").is_array())
        for (const auto& t : e.data.as_object().at("extra").as_array()) {
          const auto& a = t.as_array();
          f.extra.emplace_back(a.at(0).is_null() ? "None" : std::string(a.at(0).as_string()),
                               std::string(a.at(1).as_string()), static_cast<int>(a.at(2).to_number<int64_t>()));
        }
      return f;
    }
    ADD_FAILURE() << method << " succeeded";
    return {};
  }
  static std::vector<Triple> extra_of(const std::string& method, json::array params) {
    return failure(method, std::move(params)).extra;
  }

  static int64_t create_vm(const std::string& name) {
    return call("vm.create", {js(R"({"name": ")" + name + R"(", "memory": 256})")}).as_object().at("id").as_int64();
  }
  // Over a connection of the caller's (tests that create from many threads), a VM that stays
  // stopped when the daemon starts again (autostart off): its id.
  static int64_t create_stopped_vm(mw::test::RpcClient& c, const std::string& name) {
    return c.call("vm.create", {js(R"({"name": ")" + name + R"(", "memory": 256, "autostart": false})")})
        .as_object()
        .at("id")
        .as_int64();
  }

  // midclt -u <unix socket> call ARGS...
  static mw::test::CommandResult midclt(std::vector<std::string> args) {
    args.insert(args.begin(), {mw::test::midclt_path().string(), "-u", "ws+unix://" + daemon_->socket_path().string()});
    return mw::test::run_command(args);
  }

  // Moves this test process (and so the daemon it starts next) into a private network namespace
  // holding a bridge br0; false when that is not possible (not root).
  static bool enter_namespace_with_bridge() {
    // /sys/class/net shows the namespace of whoever mounted sysfs, so remount it privately
    // inside the new namespace (as `ip netns exec` does) for the daemon to see br0.
    if (::geteuid() != 0 || ::unshare(CLONE_NEWNET | CLONE_NEWNS) != 0 ||
        ::mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0 || ::umount2("/sys", MNT_DETACH) != 0 ||
        ::mount("sysfs", "/sys", "sysfs", 0, nullptr) != 0)
      return false;
    auto lo = mw::test::run_command({"ip", "link", "set", "lo", "up"});
    auto br = mw::test::run_command({"ip", "link", "add", "br0", "type", "bridge"});
    return lo.exit_code == 0 && br.exit_code == 0;
  }

  static inline std::unique_ptr<mw::test::DaemonProcess> daemon_;
  static inline std::filesystem::path storage_;
};

inline Triple t(std::string a, std::string m, int e = 22) { return {std::move(a), std::move(m), e}; }

}  // namespace vm_it
