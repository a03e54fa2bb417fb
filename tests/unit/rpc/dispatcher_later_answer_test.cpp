// A handler may end its call later, from another thread (CallContext::answer_later): the client
// gets the same answer a handler that waited would have sent, the call keeps its place among the
// connection's calls until then, and a call nobody answers still ends.
#include <gtest/gtest.h>

#include <functional>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include <spdlog/sinks/null_sink.h>
#include <spdlog/spdlog.h>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <middlewared/errors.hpp>

#include "events/event_hub.hpp"
#include "jobs/job_manager.hpp"
#include "rpc/dispatcher.hpp"
#include "rpc/method_table.hpp"
#include "support/recording_connection.hpp"

namespace mw::rpc {
namespace {

using test::make_credentials;
using test::RecordingConnection;

constexpr const char* kResultSchema = R"({"type":"object","properties":{"n":{"type":"integer"}},"required":["n"]})";

class DispatcherLaterAnswerTest : public ::testing::Test {
 protected:
  DispatcherLaterAnswerTest() {
    // Answers what it was given as text, on the test's thread, when the test says so.
    add("test.later", [this](CallContext& c, json::array& p) -> json::value {
      kept = c.answer_later();
      kept->result_text().out() += p.at(0).as_string();
      return json::object{{"n", 0}};  // not the result: a check that looked at it would pass wrongly
    });
    add("test.value", [](CallContext&, json::array& p) { return p.at(0); });
    methods.compile({{"test/later.params.json", R"({"type":"array","items":[{"type":"string"}]})"},
                     {"test/value.params.json", R"({"type":"array","items":[{}]})"},
                     {"test/later.result.json", kResultSchema},
                     {"test/value.result.json", kResultSchema}});
    auto log = std::make_shared<spdlog::logger>("dispatcher", std::make_shared<spdlog::sinks::null_sink_mt>());
    dispatcher = std::make_unique<Dispatcher>(methods, jobs, 1, std::move(log), ResultCheck::fail);
    connection = std::make_shared<RecordingConnection>(hub, make_credentials("root", {kFullAdmin}),
                                                       PeerInfo{PeerInfo::Transport::Unix});
  }

  void add(std::string name, Handler handler) {
    MethodSpec spec;
    spec.name = std::move(name);
    spec.may_block = false;  // runs within on_message
    spec.handler = std::move(handler);
    methods.add(std::move(spec));
  }

  void call(const std::string& method, const json::value& argument, int id = 7) {
    dispatcher->on_message(
        connection,
        json::serialize(json::object{{"jsonrpc", "2.0"}, {"id", id}, {"method", method}, {"params", {argument}}}));
  }

  // Ends the kept call on a thread of its own, as the thread that learns the outcome would.
  void on_another_thread(const std::function<void(LaterAnswer&)>& end) {
    std::thread t([&, answer = std::move(kept)] { end(*answer); });
    t.join();
  }

  events::EventHub hub;
  jobs::JobManager jobs{hub, 1};
  MethodTable methods;
  std::unique_ptr<Dispatcher> dispatcher;
  std::shared_ptr<RecordingConnection> connection;
  std::shared_ptr<LaterAnswer> kept;
};

TEST_F(DispatcherLaterAnswerTest, ACallIsAnsweredWhenItsLaterAnswerSucceedsWithTheSameAnswerAValueGives) {
  call("test.later", json::string(R"({"n":1})"));
  EXPECT_EQ(connection->count(), 0u);  // nothing until it is answered
  on_another_thread([](LaterAnswer& a) { a.succeed(); });
  ASSERT_EQ(connection->count(), 1u);
  const std::string later = connection->frames().back();
  call("test.value", json::parse(R"({"n":1})"));
  EXPECT_EQ(later, connection->frames().back());
}

TEST_F(DispatcherLaterAnswerTest, ALaterAnswerThatFailsAnswersWithTheErrorAndOnlyTheFirstEndCounts) {
  call("test.later", json::string(R"({"n":1})"));
  on_another_thread([](LaterAnswer& a) {
    a.fail(std::make_exception_ptr(CallError("the disk is gone", EIO)));
    a.succeed();  // too late: the call has ended
  });
  ASSERT_EQ(connection->count(), 1u);
  auto answer = json::parse(connection->frames().back()).as_object();
  ASSERT_TRUE(answer.contains("error")) << json::serialize(answer);
  EXPECT_EQ(answer.at("error").at("data").at("errname"), "EIO");
  EXPECT_NE(json::serialize(answer).find("the disk is gone"), std::string::npos);
}

TEST_F(DispatcherLaterAnswerTest, TheResultCheckSeesTheLaterText) {
  call("test.later", json::string(R"({"s":"no n"})"));
  on_another_thread([](LaterAnswer& a) { a.succeed(); });
  ASSERT_EQ(connection->count(), 1u);
  auto answer = json::parse(connection->frames().back()).as_object();
  ASSERT_TRUE(answer.contains("error")) << json::serialize(answer);
  EXPECT_EQ(answer.at("error").at("data").at("errname"), "EBADMSG");
}

TEST_F(DispatcherLaterAnswerTest, ACallWhoseLaterAnswerIsDroppedEndsWithAnError) {
  call("test.later", json::string(R"({"n":1})"));
  on_another_thread([](LaterAnswer&) {});  // the thread's reference was the last
  ASSERT_EQ(connection->count(), 1u);
  auto answer = json::parse(connection->frames().back()).as_object();
  ASSERT_TRUE(answer.contains("error")) << json::serialize(answer);
  EXPECT_NE(json::serialize(answer).find("ended without an answer"), std::string::npos);
}

// A connection may have 20 calls in flight: one answered later holds its place until it ends.
TEST_F(DispatcherLaterAnswerTest, ACallHoldsItsPlaceAmongTheConnectionsCallsUntilItIsAnswered) {
  std::vector<std::shared_ptr<LaterAnswer>> waiting;
  for (int i = 0; i < session::ClientSession::kMaxInFlight; ++i) {
    call("test.later", json::string(R"({"n":1})"), i);
    waiting.push_back(std::move(kept));
  }
  EXPECT_FALSE(connection->try_admit());
  waiting.back()->succeed();
  EXPECT_TRUE(connection->try_admit());
  connection->finish_inline_call();
  for (auto& w : waiting) w->succeed();
  EXPECT_EQ(connection->count(), static_cast<std::size_t>(session::ClientSession::kMaxInFlight));
}

// Only calling answer_later hands the call to the handler: testing whether it is offered does
// not, nor does a call of it that failed to make the answer.
TEST(AnswerLater, IsTakenOnlyOnceCalledAndMadeItsAnswer) {
  EXPECT_FALSE(AnswerLater{}) << "not offered to in-process calls and jobs";
  int made = 0;
  AnswerLater offered([&made]() -> std::shared_ptr<LaterAnswer> {
    if (++made == 1) throw std::runtime_error("no memory");
    return nullptr;
  });
  ASSERT_TRUE(offered);
  EXPECT_FALSE(offered.taken());
  EXPECT_THROW(offered(), std::runtime_error);
  EXPECT_FALSE(offered.taken()) << "the answer was never made: the dispatcher still ends the call";
  offered();
  EXPECT_TRUE(offered.taken());
  EXPECT_EQ(made, 2);
}

}  // namespace
}  // namespace mw::rpc
