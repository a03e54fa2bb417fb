// Every test daemon runs with --check-results: a handler whose result breaks its method's result
// schema fails the call, naming the breach, instead of sending clients what the API reference
// does not promise.
#include <gtest/gtest.h>

#include <cerrno>
#include <chrono>
#include <thread>

#include <boost/json/serialize.hpp>

#include "support/daemon_process.hpp"
#include "support/rpc_client.hpp"
#include "support/shared_daemon_test.hpp"

namespace mw::test {
namespace {

namespace json = boost::json;

constexpr const char* kBreach =
    "test.bad_result returned a result that breaks its schema: /: Input should be a valid integer";

class ResultCheckTest : public SharedDaemonTest {};

TEST_F(ResultCheckTest, ResultThatBreaksItsSchemaFailsTheCallAndIsLogged) {
  auto c = root();
  try {
    c.call("test.bad_result");
    ADD_FAILURE() << "the bad result was answered";
  } catch (const RpcError& e) {
    EXPECT_EQ(e.data.at("error"), EBADMSG) << json::serialize(e.data);
    EXPECT_EQ(e.data.at("reason").as_string(), std::string("[EBADMSG] ") + kBreach) << json::serialize(e.data);
  }
  EXPECT_NE(daemon->log().find("returned a result that breaks its schema: /: Input should be a valid integer"),
            std::string::npos)
      << daemon->log();
  EXPECT_EQ(c.call("test.echo", {7}), 7);  // a result that keeps its schema still goes through
}

TEST_F(ResultCheckTest, JobWhoseResultBreaksItsSchemaFails) {
  auto c = root();
  auto id = c.call("test.bad_result_job").as_int64();
  json::value job;
  for (int i = 0; i < 500; ++i) {  // polling interval, not a wait for an outcome
    job = c.call("core.get_jobs", {json::array{json::array{"id", "=", id}}, json::object{{"get", true}}});
    if (job.at("state") != "RUNNING" && job.at("state") != "WAITING") break;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_EQ(job.at("state"), "FAILED") << json::serialize(job);
  EXPECT_EQ(job.at("error"),
            "[EBADMSG] test.bad_result_job returned a result that breaks its schema: /: Input should be a "
            "valid integer")
      << json::serialize(job);
}

// Without the flag (and without [server] check_results) an optimised build checks nothing: the
// flag is what the suites' checking rests on.
TEST(ResultCheckOff, WithoutTheFlagAReleaseBuildAnswersTheResultAsIs) {
  DaemonProcess d({.check_results = false});
  auto c = RpcClient::unix_socket(d.socket_path());
  EXPECT_EQ(c.call("test.bad_result"), "not an integer");  // builds without NDEBUG log the breach
}

}  // namespace
}  // namespace mw::test
