#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <future>
#include <sstream>
#include <thread>

#include <unistd.h>

#include <middlewared/errors.hpp>

#include "downloads/download_pipe.hpp"
#include "events/event_hub.hpp"
#include "jobs/job_manager.hpp"
#include "support/recording_connection.hpp"

namespace mw::jobs {
namespace {

using namespace std::chrono_literals;
using test::make_credentials;
using test::RecordingConnection;

class JobManagerTest : public ::testing::Test {
 protected:
  JobManagerTest() {
    hub.add_source({"core.get_jobs", "", {}, {}});
    admin = std::make_shared<RecordingConnection>(hub, make_credentials("root", {kFullAdmin}));
    hub.attach(admin);
    admin->subscribe("core.get_jobs");
  }

  Submission sub(std::string method, std::function<json::value(Job&)> body, std::optional<std::string> lock = {},
                 int queue = 5, std::string user = "root") {
    Submission s;
    s.method = std::move(method);
    s.message_id = "req-" + std::to_string(++counter);
    s.credentials = make_credentials(user, {kFullAdmin});
    s.lock = std::move(lock);
    s.lock_queue_size = queue;
    s.body = std::move(body);
    return s;
  }

  std::vector<std::string> states_of(int id) {
    std::vector<std::string> out;
    for (auto& m : admin->messages()) {
      auto& p = m.at("params").as_object();
      if (p.at("id") == id)
        out.push_back(std::string(p.at("msg").as_string()) + ":" + std::string(p.at("fields").at("state").as_string()));
    }
    return out;
  }

  events::EventHub hub;
  std::shared_ptr<RecordingConnection> admin;
  JobManager manager{hub, 4};
  int counter = 0;
};

TEST_F(JobManagerTest, AddedEventIsPublishedBeforeSubmitReturns) {
  std::promise<void> release;
  auto gate = release.get_future().share();
  auto job = manager.submit(sub("test.x", [gate](Job&) -> json::value {
    gate.wait();
    return 1;
  }));
  auto msgs = admin->messages();
  ASSERT_GE(msgs.size(), 1u);
  auto& first = msgs.front().at("params").as_object();
  EXPECT_EQ(first.at("msg"), "added");
  EXPECT_EQ(first.at("fields").at("state"), "WAITING");
  EXPECT_EQ(first.at("fields").at("message_ids"), json::array({"req-1"}));
  release.set_value();
  manager.wait(job->id(), make_credentials("root", {kFullAdmin}).get(), nullptr);
}

// core.download's pipe: the job writes into it, and its end (however the job ends) ends the body.
TEST_F(JobManagerTest, DownloadPipeIsTheJobsOutputAndEndsWithIt) {
  auto root = make_credentials("root", {kFullAdmin});
  auto plain = manager.submit(sub("test.x", [](Job& job) -> json::value { return job.output() == nullptr; }));
  EXPECT_EQ(manager.wait(plain->id(), root.get(), nullptr), true);

  for (bool abort_while_waiting : {false, true}) {
    std::promise<void> release;
    auto gate = release.get_future().share();
    auto blocker = manager.submit(sub(
        "test.x",
        [gate](Job&) -> json::value {
          gate.wait();
          return nullptr;
        },
        "D"));
    auto s = sub(
        "test.x",
        [](Job& job) -> json::value {
          job.output()->write("bytes");
          return nullptr;
        },
        "D");
    auto pipe = std::make_shared<downloads::DownloadPipe>(true, downloads::DownloadPipe::Clock::now() + 10s);
    s.output = pipe;
    auto job = manager.submit(std::move(s));
    if (abort_while_waiting) manager.abort(job->id(), root.get());
    release.set_value();
    manager.wait(blocker->id(), root.get(), nullptr);
    job->wait_until_finished(nullptr);
    ASSERT_TRUE(pipe->attach());
    std::string body;
    bool ended = false;
    while (!ended) {
      std::promise<std::pair<std::string, bool>> got;
      pipe->read([&](std::string piece, bool end) { got.set_value({std::move(piece), end}); });
      auto [piece, end] = got.get_future().get();
      body += piece;
      ended = end;
    }
    EXPECT_EQ(body, abort_while_waiting ? "" : "bytes");
  }
}

TEST_F(JobManagerTest, SuccessfulJobGoesWaitingRunningSuccess) {
  auto job = manager.submit(sub("test.x", [](Job&) -> json::value { return 42; }));
  auto root = make_credentials("root", {kFullAdmin});
  EXPECT_EQ(manager.wait(job->id(), root.get(), nullptr), 42);
  EXPECT_EQ(states_of(job->id()), (std::vector<std::string>{"added:WAITING", "changed:RUNNING", "changed:SUCCESS"}));
  auto obj = job->to_json();
  EXPECT_EQ(obj.at("progress").at("percent"), 100);
  EXPECT_FALSE(obj.at("time_finished").is_null());
}

TEST_F(JobManagerTest, FailedJobKeepsErrnoInExcInfo) {
  auto job = manager.submit(sub("test.x", [](Job&) -> json::value { throw CallError("nope", EACCES); }));
  auto root = make_credentials("root", {kFullAdmin});
  EXPECT_THROW(manager.wait(job->id(), root.get(), nullptr), CallError);
  auto obj = job->to_json();
  EXPECT_EQ(obj.at("state"), "FAILED");
  EXPECT_EQ(obj.at("error"), "[EACCES] nope");
  EXPECT_EQ(obj.at("exc_info").at("errno"), 13);
}

TEST_F(JobManagerTest, JobsSharingALockRunOneAtATime) {
  std::atomic<int> running{0}, max_running{0};
  auto body = [&](Job&) -> json::value {
    int now = ++running;
    max_running = std::max(max_running.load(), now);
    std::this_thread::sleep_for(30ms);
    --running;
    return nullptr;
  };
  std::vector<std::shared_ptr<JobRecord>> jobs;
  for (int i = 0; i < 3; ++i) jobs.push_back(manager.submit(sub("test.x", body, "L")));
  EXPECT_EQ(jobs[1]->state(), JobState::Waiting);
  auto root = make_credentials("root", {kFullAdmin});
  for (auto& j : jobs) manager.wait(j->id(), root.get(), nullptr);
  EXPECT_EQ(max_running.load(), 1);
}

TEST_F(JobManagerTest, FullLockQueueJoinsTheLastWaitingJob) {
  std::promise<void> release;
  auto gate = release.get_future().share();
  auto body = [gate](Job&) -> json::value {
    gate.wait();
    return nullptr;
  };
  auto running = manager.submit(sub("test.x", body, "L", 1));
  auto waiting = manager.submit(sub("test.x", body, "L", 1));
  auto joined = manager.submit(sub("test.x", body, "L", 1));
  EXPECT_NE(running->id(), waiting->id());
  EXPECT_EQ(joined->id(), waiting->id());
  EXPECT_EQ(waiting->to_json().at("message_ids"), json::array({"req-2", "req-3"}));
  release.set_value();
  manager.wait(waiting->id(), make_credentials("root", {kFullAdmin}).get(), nullptr);
}

TEST_F(JobManagerTest, LockWithoutQueueRefusesWhileTaken) {
  std::promise<void> release;
  auto gate = release.get_future().share();
  auto first = manager.submit(sub(
      "test.x",
      [gate](Job&) -> json::value {
        gate.wait();
        return nullptr;
      },
      "X", 0));
  try {
    manager.submit(sub(
        "test.x", [](Job&) -> json::value { return nullptr; }, "X", 0));
    ADD_FAILURE() << "second exclusive job was accepted";
  } catch (const CallError& e) {
    EXPECT_EQ(e.errnum(), EBUSY);
    EXPECT_EQ(e.message(), "This job is already being performed");
  }
  release.set_value();
  manager.wait(first->id(), make_credentials("root", {kFullAdmin}).get(), nullptr);
}

TEST_F(JobManagerTest, AbortingAWaitingJobEndsItAborted) {
  std::promise<void> release;
  auto gate = release.get_future().share();
  auto body = [gate](Job&) -> json::value {
    gate.wait();
    return nullptr;
  };
  auto running = manager.submit(sub("test.x", body, "L"));
  auto waiting = manager.submit(sub("test.x", body, "L"));
  auto root = make_credentials("root", {kFullAdmin});
  manager.abort(waiting->id(), root.get());
  EXPECT_EQ(waiting->state(), JobState::Aborted);
  release.set_value();
  manager.wait(running->id(), root.get(), nullptr);
}

TEST_F(JobManagerTest, AbortWakesARunningJob) {
  auto job = manager.submit(sub("test.x", [](Job& j) -> json::value {
    if (j.wait_for_abort(30s)) throw JobAborted();
    return 1;
  }));
  auto root = make_credentials("root", {kFullAdmin});
  while (job->state() != JobState::Running) std::this_thread::sleep_for(1ms);
  auto t0 = std::chrono::steady_clock::now();
  manager.abort(job->id(), root.get());
  EXPECT_THROW(manager.wait(job->id(), root.get(), nullptr), JobAborted);
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 5s);
  EXPECT_EQ(job->to_json().at("state"), "ABORTED");
  EXPECT_TRUE(job->to_json().at("error").is_null());
}

TEST_F(JobManagerTest, OtherUsersCannotSeeOrWaitForAJob) {
  auto job = manager.submit(sub(
      "test.x", [](Job&) -> json::value { return 1; }, {}, 5, "alice"));
  auto bob = make_credentials("bob", {"VM_READ"});
  auto alice = make_credentials("alice", {"VM_READ"});
  EXPECT_THROW(manager.wait(job->id(), bob.get(), nullptr), CallError);
  EXPECT_EQ(manager.wait(job->id(), alice.get(), nullptr), 1);
  EXPECT_EQ(manager.list(bob.get(), false).size(), 0u);
  EXPECT_EQ(manager.list(alice.get(), false).size(), 1u);
}

TEST_F(JobManagerTest, ProgressChangesArePublishedAndEmptyDescriptionKeepsOld) {
  auto job = manager.submit(sub("test.x", [](Job& j) -> json::value {
    j.set_progress(10, "first");
    j.set_progress(50, "");
    j.set_progress(50, "");  // no change, no event
    return nullptr;
  }));
  manager.wait(job->id(), make_credentials("root", {kFullAdmin}).get(), nullptr);
  std::vector<std::pair<int64_t, std::string>> progress;
  for (auto& m : admin->messages()) {
    auto& f = m.at("params").at("fields").as_object();
    if (f.at("state") == "RUNNING")
      progress.emplace_back(f.at("progress").at("percent").as_int64(),
                            std::string(f.at("progress").at("description").as_string()));
  }
  EXPECT_EQ(progress, (std::vector<std::pair<int64_t, std::string>>{{0, ""}, {10, "first"}, {50, "first"}}));
}

TEST(JobRetention, KeepsOnlyTheNewestFinishedJobs) {
  events::EventHub hub;
  JobManager manager(hub, 2, 5);
  auto root = make_credentials("root", {kFullAdmin});
  int last = 0;
  for (int i = 0; i < 12; ++i) {
    Submission s;
    s.method = "test.x";
    s.credentials = root;
    s.body = [](Job&) -> json::value { return nullptr; };
    auto job = manager.submit(std::move(s));
    manager.wait(job->id(), root.get(), nullptr);
    last = job->id();
  }
  auto list = manager.list(root.get(), false);
  EXPECT_LE(list.size(), 6u);  // the retention count plus the job just submitted
  EXPECT_EQ(list.back().at("id"), last);
  EXPECT_EQ(manager.find(1), nullptr);
}

TEST_F(JobManagerTest, JobLogIsAFileWithAnExcerptWhenTheJobEnds) {
  auto dir = std::filesystem::temp_directory_path() / ("mw-job-logs-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  std::ofstream(dir / "stale.log") << "an earlier run\n";
  manager.keep_logs_in(dir);
  EXPECT_FALSE(std::filesystem::exists(dir / "stale.log")) << "logs of an earlier run belong to no job";
  auto root = make_credentials("root", {kFullAdmin});
  auto quiet = manager.submit(sub("test.quiet", [](Job&) -> json::value { return nullptr; }));
  manager.wait(quiet->id(), root.get(), nullptr);
  EXPECT_TRUE(quiet->to_json().at("logs_path").is_null());
  EXPECT_TRUE(quiet->to_json().at("logs_excerpt").is_null());
  auto job = manager.submit(sub("test.log", [](Job& j) -> json::value {
    j.log("first line\n");
    j.log("second line\n");
    return nullptr;
  }));
  manager.wait(job->id(), root.get(), nullptr);
  auto o = job->to_json();
  const std::string path(o.at("logs_path").as_string());
  EXPECT_EQ(path, (dir / (std::to_string(job->id()) + ".log")).string());
  std::ifstream in(path);
  EXPECT_EQ(std::string(std::istreambuf_iterator<char>(in), {}), "first line\nsecond line\n");
  EXPECT_EQ(o.at("logs_excerpt"), "first line\nsecond line\n");
  job.reset();
  std::filesystem::remove_all(dir);
}

TEST(LogsExcerpt, KeepsTheFirstAndLastTenLinesAsTrueNas) {
  std::string text;
  for (int i = 1; i <= 25; ++i) text += "l" + std::to_string(i) + "\n";
  std::istringstream in(text);
  std::string want;
  for (int i = 1; i <= 10; ++i) want += "l" + std::to_string(i) + "\n";
  want += "... 5 more lines ...\n";
  for (int i = 16; i <= 25; ++i) want += "l" + std::to_string(i) + "\n";
  EXPECT_EQ(logs_excerpt(in), want);
  std::istringstream short_log("a\nb");
  EXPECT_EQ(logs_excerpt(short_log), "a\nb");
  std::string fifteen;
  for (int i = 1; i <= 15; ++i) fifteen += std::to_string(i) + "\n";
  std::istringstream mid(fifteen);
  EXPECT_EQ(logs_excerpt(mid), fifteen);
}

}  // namespace
}  // namespace mw::jobs

namespace mw::jobs {
namespace {

// Deferred jobs (Job::defer): the handler returns at once and the job ends when told.
class DeferredJobTest : public JobManagerTest {
 protected:
  JobManager one_thread{hub, 1};
};

TEST_F(DeferredJobTest, DeferredJobsHoldNoPoolThreadAndEndWhenTheirCompletionIsTold) {
  std::vector<std::shared_ptr<JobCompletion>> waiting(3);
  std::vector<std::shared_ptr<JobRecord>> jobs;
  for (std::size_t i = 0; i < waiting.size(); ++i)
    jobs.push_back(one_thread.submit(sub("test.deferred", [&waiting, i](Job& job) -> json::value {
      waiting[i] = job.defer();
      return "ignored";
    })));
  // With one pool thread, this job runs only if none of the deferred ones holds it.
  auto plain = one_thread.submit(sub("test.plain", [](Job&) -> json::value { return 7; }));
  ASSERT_TRUE(plain->wait_until_finished(nullptr));
  EXPECT_EQ(plain->result_or_throw(), 7);
  for (auto& j : jobs) EXPECT_EQ(j->state(), JobState::Running);

  waiting[0]->succeed(1);
  waiting[1]->fail(std::make_exception_ptr(CallError("guest refused", EBUSY)));
  waiting[2]->fail(std::make_exception_ptr(JobAborted()));
  waiting[0]->fail(std::make_exception_ptr(CallError("too late")));  // ignored: the job has ended
  for (auto& j : jobs) ASSERT_TRUE(j->wait_until_finished(nullptr));
  EXPECT_EQ(jobs[0]->state(), JobState::Success);
  EXPECT_EQ(jobs[0]->result_or_throw(), 1);
  EXPECT_EQ(jobs[1]->state(), JobState::Failed);
  EXPECT_THROW(jobs[1]->result_or_throw(), CallError);
  EXPECT_EQ(jobs[2]->state(), JobState::Aborted);
}

TEST_F(DeferredJobTest, AHandlerThatThrowsAfterDeferringFailsTheJobAndTheCompletionIsIgnored) {
  std::shared_ptr<JobCompletion> completion;
  auto job = one_thread.submit(sub("test.deferred", [&completion](Job& job) -> json::value {
    completion = job.defer();
    throw CallError("not active", EINVAL);
  }));
  ASSERT_TRUE(job->wait_until_finished(nullptr));
  EXPECT_EQ(job->state(), JobState::Failed);
  completion->succeed(1);
  EXPECT_EQ(job->state(), JobState::Failed);
}

TEST_F(DeferredJobTest, AJobCompletedBeforeItsHandlerReturnedEndsOnceAndHandsItsLockOnOnce) {
  auto first = one_thread.submit(sub(
      "test.deferred",
      [](Job& job) -> json::value {
        job.defer()->succeed(5);  // nothing to wait for after all
        return "ignored";
      },
      "lock"));
  auto second = one_thread.submit(sub(
      "test.plain", [](Job&) -> json::value { return 6; }, "lock"));
  ASSERT_TRUE(second->wait_until_finished(nullptr));
  EXPECT_EQ(first->result_or_throw(), 5);
  EXPECT_EQ(second->result_or_throw(), 6);
  std::vector<std::string> expected = {"added:WAITING", "changed:RUNNING", "changed:SUCCESS"};
  EXPECT_EQ(states_of(first->id()), expected);
}

TEST_F(DeferredJobTest, ADeferredJobKeepsItsLockUntilItEnds) {
  std::shared_ptr<JobCompletion> completion;
  auto first = one_thread.submit(sub(
      "test.deferred",
      [&completion](Job& job) -> json::value {
        completion = job.defer();
        return nullptr;
      },
      "lock"));
  auto second = one_thread.submit(sub(
      "test.plain", [](Job&) -> json::value { return 2; }, "lock"));
  auto other = one_thread.submit(sub("test.plain", [](Job&) -> json::value { return 3; }));
  ASSERT_TRUE(other->wait_until_finished(nullptr));
  EXPECT_EQ(second->state(), JobState::Waiting);
  completion->succeed(nullptr);
  ASSERT_TRUE(second->wait_until_finished(nullptr));
  EXPECT_EQ(second->result_or_throw(), 2);
}

}  // namespace
}  // namespace mw::jobs
