// TrueNAS's own Python client, unchanged, against the real daemon: its midclt and its download
// path (core.download + /_download) as TrueNAS's tests and web UI use them.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "support/daemon_process.hpp"
#include "support/run_command.hpp"

namespace {

namespace json = boost::json;
using mw::test::CommandResult;

class TrueNasClientTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    mw::test::DaemonOptions options;
    options.config_text = "[vm]\nstop_vms_on_shutdown = true\n";  // no QEMU outlives the run
    daemon_ = std::make_unique<mw::test::DaemonProcess>(options);
  }
  static void TearDownTestSuite() { daemon_.reset(); }

  static std::string unix_uri() { return "ws+unix://" + daemon_->socket_path().string(); }
  static std::string http_base() { return "http://127.0.0.1:" + std::to_string(daemon_->tcp_port()); }

  // TrueNAS's midclt over the unix socket (root, logged in by its peer credentials).
  static CommandResult midclt(std::vector<std::string> args, std::chrono::seconds timeout = std::chrono::seconds(90)) {
    std::vector<std::string> argv{MW_PYTHON3, MW_TRUENAS_DRIVER, MW_TRUENAS_CLIENT_DIR, "cli", "-u", unix_uri()};
    argv.insert(argv.end(), args.begin(), args.end());
    return mw::test::run_command(argv, "", {}, timeout);
  }
  // The printed JSON of a successful `midclt call`.
  static json::value call_json(std::vector<std::string> args) {
    auto r = midclt(std::move(args));
    EXPECT_EQ(r.exit_code, 0) << r.err;
    try {
      return json::parse(r.out);
    } catch (const std::exception&) {
      ADD_FAILURE() << "not JSON: " << r.out << r.err;
      return nullptr;
    }
  }

  static inline std::unique_ptr<mw::test::DaemonProcess> daemon_;
};

// The client decodes extended JSON in every answer; a schema property named "$date" once made it
// fail on core.get_methods and hang until its call timeout.
TEST_F(TrueNasClientTest, GetMethodsDecodesInTheClient) {
  auto r = midclt({"-t", "20", "call", "core.get_methods"}, std::chrono::seconds(40));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto methods = json::parse(r.out).as_object();
  EXPECT_TRUE(methods.contains("audit.query"));
  EXPECT_TRUE(methods.contains("vm.create"));
}

TEST_F(TrueNasClientTest, AuditQueryTakesTrueNasObject) {
  EXPECT_TRUE(call_json({"call", "audit.query", R"({"services": ["MIDDLEWARE"], "query-options": {"count": true}})"})
                  .is_int64());
}

}  // namespace
