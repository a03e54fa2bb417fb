#include "midclt/job_tracker.hpp"

#include <gtest/gtest.h>

#include <boost/json.hpp>

namespace json = boost::json;
using namespace midclt;

namespace {
json::object event(const char* text) { return json::parse(text).get_object(); }
}  // namespace

TEST(JobTracker, AddedEventMapsRequestIdToJob) {
  JobTracker tracker;
  auto id = tracker.observe(event(R"({"msg":"added","collection":"core.get_jobs","id":4,
      "fields":{"id":4,"message_ids":["req-1"],"state":"WAITING","progress":{"percent":0}}})"));
  EXPECT_EQ(id, 4);
  EXPECT_EQ(tracker.job_for_request("req-1"), 4);
  EXPECT_FALSE(tracker.job_for_request("req-2"));
  EXPECT_FALSE(tracker.finished(4));
}

TEST(JobTracker, ChangedEventJoiningAQueuedJobAlsoMapsTheRequest) {
  JobTracker tracker;
  tracker.observe(event(R"({"msg":"changed","collection":"core.get_jobs","id":9,
      "fields":{"id":9,"message_ids":["a","b"],"state":"WAITING"}})"));
  EXPECT_EQ(tracker.job_for_request("b"), 9);
}

TEST(JobTracker, FinishesOnlyOnChangedWithFinalState) {
  JobTracker tracker;
  tracker.observe(event(R"({"msg":"added","collection":"core.get_jobs","id":1,"fields":{"id":1,"state":"SUCCESS"}})"));
  EXPECT_FALSE(tracker.finished(1));
  tracker.observe(
      event(R"({"msg":"changed","collection":"core.get_jobs","id":1,"fields":{"id":1,"state":"RUNNING"}})"));
  EXPECT_FALSE(tracker.finished(1));
  tracker.observe(event(R"({"msg":"changed","collection":"core.get_jobs","id":1,"fields":{"id":1,"state":"FAILED"}})"));
  EXPECT_TRUE(tracker.finished(1));
}

TEST(JobTracker, MergesFieldsAcrossEvents) {
  JobTracker tracker;
  tracker.observe(event(R"({"msg":"added","collection":"core.get_jobs","id":2,
      "fields":{"id":2,"method":"test.job_sleep","state":"WAITING"}})"));
  tracker.observe(event(R"({"msg":"changed","collection":"core.get_jobs","id":2,
      "fields":{"id":2,"state":"SUCCESS","result":42}})"));
  const json::object* job = tracker.job(2);
  ASSERT_TRUE(job);
  EXPECT_EQ(job->at("method"), json::value("test.job_sleep"));
  EXPECT_EQ(job->at("result"), json::value(42));
  EXPECT_TRUE(tracker.finished(2));
}

TEST(JobTracker, IgnoresOtherCollectionsAndRemovals) {
  JobTracker tracker;
  EXPECT_FALSE(tracker.observe(event(R"({"msg":"changed","collection":"vm.query","id":1,"fields":{"id":1}})")));
  EXPECT_FALSE(tracker.observe(event(R"({"msg":"removed","collection":"core.get_jobs","id":1})")));
  EXPECT_FALSE(tracker.job(1));
}
