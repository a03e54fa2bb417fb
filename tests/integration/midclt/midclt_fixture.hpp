#pragma once
// One daemon per test suite; helpers to run the real midclt against it.
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "support/daemon_process.hpp"
#include "support/run_command.hpp"

namespace midclt_it {

class MidcltAgainstDaemon : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { daemon_ = std::make_unique<mw::test::DaemonProcess>(); }
  static void TearDownTestSuite() { daemon_.reset(); }

  static std::string unix_uri() { return "ws+unix://" + daemon_->socket_path().string(); }
  static std::string tcp_uri(const std::string& path = "/api/current") {
    return "ws://127.0.0.1:" + std::to_string(daemon_->tcp_port()) + path;
  }

  // midclt -u <unix socket> ARGS...
  static mw::test::CommandResult midclt(std::vector<std::string> args, const std::string& stdin_text = "") {
    args.insert(args.begin(), {mw::test::midclt_path().string(), "-u", unix_uri()});
    return mw::test::run_command(args, stdin_text);
  }

  // midclt ARGS... without -u (for tests that choose their own URI or none).
  static mw::test::CommandResult midclt_raw(std::vector<std::string> args, const std::string& stdin_text = "",
                                            const std::map<std::string, std::string>& env = {}) {
    args.insert(args.begin(), mw::test::midclt_path().string());
    return mw::test::run_command(args, stdin_text, env);
  }

  static inline std::unique_ptr<mw::test::DaemonProcess> daemon_;
};

}  // namespace midclt_it
