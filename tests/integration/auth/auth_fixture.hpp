#pragma once
// The fixture of the authentication suites: real PAM accounts that the suite creates (useradd +
// chpasswd) and removes, and one real daemon over TCP and the unix socket.
//   reader   member of a group mapped to VM_READ
//   norole   no role at all (login: DENIED)
//   admin    member of sudo (FULL_ADMIN)
//   keyadmin member of a group mapped to API_KEY_WRITE and VM_READ (manages keys, is no admin)
// A suite that needs more configuration derives and calls start_suite() with it.
#include <gtest/gtest.h>

#include <boost/json/serialize.hpp>

#include <functional>
#include <iostream>
#include <string>
#include <vector>

#include "auth/crypto.hpp"
#include "support/daemon_process.hpp"
#include "support/rpc_client.hpp"
#include "support/run_command.hpp"

namespace mw::test {

namespace json = boost::json;

inline std::string unique_name(const std::string& prefix) {
  return prefix + mw::plugins::auth::hex_encode(mw::plugins::auth::random_bytes(4));
}

inline void must(const std::vector<std::string>& argv, const std::string& input = "") {
  auto r = run_command(argv, input);
  if (r.exit_code != 0) throw std::runtime_error(argv[0] + " failed: " + r.err);
}

inline json::object object_of(const json::value& v) { return v.as_object(); }

class AuthTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { start_suite(); }
  static void TearDownTestSuite() {
    delete daemon;
    daemon = nullptr;
    for (const auto& u : {reader, norole, admin, keyadmin}) {
      auto r = run_command({"userdel", u});
      if (r.exit_code != 0) std::cerr << "userdel " << u << " failed: " << r.err << "\n";
    }
    run_command({"groupdel", vm_group});
    run_command({"groupdel", key_group});
  }

  // `auth_config` lines go into [auth] after the suite's defaults.
  static void start_suite(const std::string& auth_config = "") {
    vm_group = unique_name("mwtg");
    key_group = unique_name("mwtk");
    reader = unique_name("mwtr");
    norole = unique_name("mwtn");
    admin = unique_name("mwta");
    keyadmin = unique_name("mwtx");
    must({"groupadd", vm_group});
    must({"groupadd", key_group});
    must({"useradd", "-M", "-s", "/usr/sbin/nologin", "-G", vm_group, reader});
    must({"useradd", "-M", "-s", "/usr/sbin/nologin", norole});
    must({"useradd", "-M", "-s", "/usr/sbin/nologin", "-G", "sudo", admin});
    must({"useradd", "-M", "-s", "/usr/sbin/nologin", "-G", key_group, keyadmin});
    std::string passwords;
    for (const auto& u : {reader, norole, admin, keyadmin}) passwords += u + ":" + kPassword + "\n";
    must({"chpasswd"}, passwords);
    DaemonOptions options;
    // The suites log in over loopback TCP far more often than the anonymous rate limit allows.
    options.config_text =
        "[server]\ncheck_results = true\n[limits]\nexempt_loopback = true\n"
        "[auth]\napi_key_iterations = 4096\n" +
        auth_config + "\n[roles]\n" + vm_group + " = VM_READ\n" + key_group + " = API_KEY_WRITE, VM_READ\n";
    daemon = new DaemonProcess(options);
  }

  static RpcClient root() { return RpcClient::unix_socket(daemon->socket_path()); }
  static RpcClient tcp() { return RpcClient::tcp(daemon->tcp_port()); }

  static json::object login_password(RpcClient& c, const std::string& user, const std::string& password,
                                     json::object options = {}) {
    return object_of(c.call(
        "auth.login_ex",
        {json::object{
            {"mechanism", "PASSWORD_PLAIN"}, {"username", user}, {"password", password}, {"login_options", options}}}));
  }
  static RpcClient logged_in(const std::string& user) {
    auto c = tcp();
    auto r = login_password(c, user, kPassword);
    if (r.at("response_type") != "SUCCESS") throw std::runtime_error("login failed: " + json::serialize(r));
    return c;
  }
  // Creates an API key for `user` as root; returns the create answer.
  static json::object create_key(const std::string& user, json::object extra = {}) {
    auto r = root();
    extra["name"] = unique_name("key");
    extra["username"] = user;
    return object_of(r.call("api_key.create", {extra}));
  }
  static std::string error_reason(const std::function<void()>& fn) {
    try {
      fn();
    } catch (const RpcError& e) {
      return e.reason();
    }
    return "(no error)";
  }

  static constexpr const char* kPassword = "Corr3ct-Horse";
  static inline DaemonProcess* daemon = nullptr;
  static inline std::string vm_group, key_group, reader, norole, admin, keyadmin;
};

}  // namespace mw::test
