// Jobs through the real daemon: ids, events, legacy and new-style answers.
#include <gtest/gtest.h>

#include <thread>

#include <boost/json/parse.hpp>

#include "support/daemon_process.hpp"
#include "support/rpc_client.hpp"
#include "support/shared_daemon_test.hpp"

namespace mw::test {
namespace {

namespace json = boost::json;
using namespace std::chrono_literals;

class JobsTest : public SharedDaemonTest {
 protected:
  // Collects core.get_jobs events for `job_id` until a final state.
  static std::vector<json::object> events_until_done(RpcClient& c, int64_t job_id) {
    std::vector<json::object> out;
    while (true) {
      auto n = c.next_notification(30s);
      if (!n) throw std::runtime_error("no job event within 30 s");
      auto& p = n->at("params").as_object();
      if (p.at("collection") != "core.get_jobs" || p.at("id") != job_id) continue;
      out.push_back(p);
      auto state = p.at("fields").at("state");
      if (state == "SUCCESS" || state == "FAILED" || state == "ABORTED") return out;
    }
  }
};

TEST_F(JobsTest, LegacyCallReturnsJobIdAndEventsFollow) {
  auto c = root();
  c.call("core.subscribe", {"core.get_jobs"});
  auto id = c.call("test.job_sleep", {0.2}).as_int64();
  auto events = events_until_done(c, id);
  EXPECT_EQ(events.front().at("msg"), "added");
  EXPECT_EQ(events.front().at("fields").at("state"), "WAITING");
  EXPECT_EQ(events.back().at("fields").at("state"), "SUCCESS");
  EXPECT_EQ(events.back().at("fields").at("result"), 42);
  bool saw_running = false;
  for (auto& e : events) saw_running |= e.at("fields").at("state") == "RUNNING";
  EXPECT_TRUE(saw_running);
}

TEST_F(JobsTest, NewStyleAddedEventPrecedesTheWithheldAnswer) {
  auto c = root();
  c.call("core.set_options", {json::object{{"legacy_jobs", false}}});
  c.call("core.subscribe", {"core.get_jobs"});
  c.send_text(R"({"jsonrpc":"2.0","id":"job-call","method":"test.job_sleep","params":[0]})");
  // The very first message about this call must be the `added` event naming its request id.
  auto first = json::parse(c.receive_text(10s)).as_object();
  ASSERT_EQ(first.at("method"), "collection_update");
  EXPECT_EQ(first.at("params").at("msg"), "added");
  EXPECT_EQ(first.at("params").at("fields").at("message_ids"), json::array({"job-call"}));
  auto answer = c.answer_for("job-call");
  EXPECT_EQ(answer.at("result"), 42);
}

TEST_F(JobsTest, NewStyleFailedJobAnswersWithItsError) {
  auto c = root();
  c.call("core.set_options", {json::object{{"legacy_jobs", false}}});
  try {
    c.call("test.fail_job", {13});
    FAIL();
  } catch (const RpcError& e) {
    EXPECT_EQ(e.data.at("error"), 13);
    EXPECT_EQ(e.data.at("reason"), "[EACCES] Job failed on purpose");
  }
}

TEST_F(JobsTest, FailedJobShowsErrnoInGetJobs) {
  auto c = root();
  auto id = c.call("test.fail_job", {13}).as_int64();
  json::object job;
  for (int i = 0; i < 100; ++i) {
    job = c.call("core.get_jobs", {json::array{json::array{"id", "=", id}}, json::object{{"get", true}}}).as_object();
    if (job.at("state") == "FAILED") break;
    std::this_thread::sleep_for(20ms);
  }
  EXPECT_EQ(job.at("state"), "FAILED");
  EXPECT_EQ(job.at("exc_info").at("errno"), 13);
  EXPECT_EQ(job.at("error"), "[EACCES] Job failed on purpose");
}

TEST_F(JobsTest, JobWithTooManyArgumentsFailsAsValidation) {
  auto c = root();
  c.call("core.set_options", {json::object{{"legacy_jobs", false}}});
  try {
    c.call("test.fail_job", {1, 2});
    FAIL();
  } catch (const RpcError& e) {
    EXPECT_EQ(e.code, -32602);
    EXPECT_EQ(e.data.at("extra"), json::parse(R"j([["","Too many arguments (expected 1, found 2)",22]])j"));
  }
  auto jobs = c.call("core.get_jobs", {json::array{json::array{"method", "=", "test.fail_job"}}}).as_array();
  ASSERT_FALSE(jobs.empty());
  EXPECT_EQ(jobs.back().at("exc_info").at("type"), "VALIDATION");
}

TEST_F(JobsTest, JobWaitReturnsTheTargetResult) {
  auto c = root();
  auto id = c.call("test.job_sleep", {0.1}).as_int64();
  c.call("core.set_options", {json::object{{"legacy_jobs", false}}});
  EXPECT_EQ(c.call("core.job_wait", {id}), 42);
}

TEST_F(JobsTest, AbortEndsARunningJobAborted) {
  auto c = root();
  c.call("core.subscribe", {"core.get_jobs"});
  auto id = c.call("test.job_sleep", {30}).as_int64();
  EXPECT_TRUE(c.call("core.job_abort", {id}).is_null());
  auto events = events_until_done(c, id);
  EXPECT_EQ(events.back().at("fields").at("state"), "ABORTED");
  EXPECT_TRUE(events.back().at("fields").at("error").is_null());
}

TEST_F(JobsTest, ExclusiveLockRefusesASecondCall) {
  auto c = root();
  auto first = c.call("test.exclusive_job", {"x", 1}).as_int64();
  try {
    c.call("test.exclusive_job", {"x", 0});
    FAIL();
  } catch (const RpcError& e) {
    EXPECT_EQ(e.data.at("reason"), "[EBUSY] This job is already being performed");
  }
  c.call("core.job_abort", {first});
}

TEST_F(JobsTest, LockedJobsQueueInOrder) {
  auto c = root();
  auto a = c.call("test.locked_job", {"q", 0.3}).as_int64();
  auto b = c.call("test.locked_job", {"q", 0}).as_int64();
  auto job_b = c.call("core.get_jobs", {json::array{json::array{"id", "=", b}}, json::object{{"get", true}}});
  EXPECT_EQ(job_b.at("state"), "WAITING");
  c.call("core.set_options", {json::object{{"legacy_jobs", false}}});
  EXPECT_EQ(c.call("core.job_wait", {b}), b);
  auto job_a = c.call("core.get_jobs", {json::array{json::array{"id", "=", a}}, json::object{{"get", true}}});
  EXPECT_EQ(job_a.at("state"), "SUCCESS");
}

TEST_F(JobsTest, JobLockFromBadArgumentsFailsSynchronously) {
  auto c = root();
  try {
    c.call("test.locked_job", {});
    FAIL();
  } catch (const RpcError& e) {
    EXPECT_EQ(e.data.at("reason"),
              "[EINVAL] Error handling job lock. This is most likely caused by invalid call arguments.");
  }
}

}  // namespace
}  // namespace mw::test
