// core.job_wait must never wait in a circle: on its own job, on a job that waits for it, or on a
// job queued behind a lock it holds. Each would block a job thread for ever; waiting on itself
// used to take its own job's lock twice and hang the whole daemon (docs/THREADS.md, "Lock order").
#include <gtest/gtest.h>

#include <cerrno>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "support/http_get.hpp"
#include "support/shared_daemon_test.hpp"

namespace mw::test {
namespace {

namespace json = boost::json;
using namespace std::chrono_literals;

class JobWaitCycleTest : public SharedDaemonTest {
 protected:
  // A connection whose job calls answer when the job ends (legacy_jobs off).
  static RpcClient waiting_client() {
    auto c = root();
    c.call("core.set_options", {json::object{{"legacy_jobs", false}}});
    return c;
  }

  // The id the next job will get: job ids count up, and these tests run one at a time.
  static int64_t next_job_id() {
    auto c = root();
    return c.call("test.job_sleep", {0}).as_int64() + 1;
  }

  static void send_call(RpcClient& c, const std::string& id, const std::string& method, json::array params) {
    c.send_text(json::serialize(json::object{{"jsonrpc", "2.0"}, {"id", id}, {"method", method}, {"params", params}}));
  }

  // The answer to `id`, which must come within 5 s (a wait in a circle would never answer).
  static json::object error_within_5s(RpcClient& c, const std::string& id) {
    auto answer = c.answer_for(json::value(id), 5s);
    EXPECT_TRUE(answer.contains("error")) << json::serialize(answer);
    return answer.contains("error") ? answer.at("error").as_object() : json::object{};
  }

  // Other clients are still served: a ping and the metrics page, each within seconds.
  static void expect_daemon_responsive() {
    auto other = root();
    other.send_text(R"({"jsonrpc":"2.0","id":"p","method":"core.ping"})");
    EXPECT_EQ(other.answer_for(json::value("p"), 5s).at("result"), "pong");
    std::string metrics = run_http_get(daemon->socket_path(), "/metrics");
    EXPECT_NE(metrics.find("HTTP/1.1 200"), std::string::npos) << metrics.substr(0, 200);
  }
};

TEST_F(JobWaitCycleTest, JobWaitOnItsOwnJobFailsAtOnceWithEdeadlk) {
  auto c = waiting_client();
  const int64_t own = next_job_id();
  send_call(c, "self", "core.job_wait", {own});
  auto error = error_within_5s(c, "self");
  EXPECT_EQ(error.at("data").at("error"), EDEADLK) << json::serialize(error);
  EXPECT_EQ(error.at("data").at("reason").as_string(),
            "[EDEADLK] Job " + std::to_string(own) + " cannot wait for itself");
  expect_daemon_responsive();
  auto job = root().call("core.get_jobs", {json::array{json::array{"id", "=", own}}, json::object{{"get", true}}});
  EXPECT_EQ(job.at("method"), "core.job_wait");
  EXPECT_EQ(job.at("state"), "FAILED");
}

TEST_F(JobWaitCycleTest, JobWaitOnAJobThatWaitsForItFailsAtOnce) {
  auto c = waiting_client();
  const int64_t first = next_job_id();
  const int64_t second = first + 1;
  // `first` waits for `second` after half a second; `second` waits for `first` at once.
  send_call(c, "first", "test.locked_wait", {"cycle", second, 0.5});
  send_call(c, "second", "core.job_wait", {first});
  auto error = error_within_5s(c, "first");
  EXPECT_EQ(error.at("data").at("error"), EDEADLK) << json::serialize(error);
  EXPECT_EQ(error.at("data").at("reason").as_string(),
            "[EDEADLK] Waiting for job " + std::to_string(second) + " would never end: it waits for this job (" +
                std::to_string(first) + " -> " + std::to_string(second) + " -> " + std::to_string(first) + ")");
  // `second` then ends with the error of the job it waited for.
  EXPECT_EQ(error_within_5s(c, "second").at("data").at("error"), EDEADLK);
  expect_daemon_responsive();
}

TEST_F(JobWaitCycleTest, JobWaitOnAJobQueuedBehindItsOwnLockFailsAtOnce) {
  auto c = waiting_client();
  const int64_t holder = next_job_id();
  const int64_t queued = holder + 1;
  // `holder` takes lock test_queue, then waits for `queued`, which waits for that lock.
  send_call(c, "holder", "test.locked_wait", {"queue", queued, 0.5});
  send_call(c, "queued", "test.locked_job", {"queue", 0});
  auto error = error_within_5s(c, "holder");
  EXPECT_EQ(error.at("data").at("error"), EDEADLK) << json::serialize(error);
  // With the lock free again, the queued job runs and returns its own id.
  EXPECT_EQ(c.answer_for(json::value("queued"), 5s).at("result"), queued);
  expect_daemon_responsive();
}

TEST_F(JobWaitCycleTest, JobWaitOnAnEndedChainStillWorks) {
  auto c = waiting_client();
  const int64_t target = next_job_id();
  send_call(c, "target", "test.job_sleep", {0.3});
  send_call(c, "waiter", "test.locked_wait", {"chain", target, 0});
  EXPECT_EQ(c.answer_for(json::value("waiter"), 10s).at("result"), 42);
  EXPECT_EQ(c.answer_for(json::value("target"), 10s).at("result"), 42);
}

}  // namespace
}  // namespace mw::test
