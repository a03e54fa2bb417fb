// A vm.query answer of megabytes is sent while it is written, as one WebSocket message of several
// frames (session/streamed_answer.hpp). Read off the wire as it really is: the frames make one
// message, its entries are those of the answers written whole, and calls sent behind it are
// answered after it.
#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "support/daemon_process.hpp"
#include "support/frame_reader.hpp"
#include "support/rpc_client.hpp"

namespace {

namespace json = boost::json;
using mw::test::FrameReader;
using mw::test::payload_of;

constexpr int kVms = 700;  // with their descriptions, an answer of over a megabyte

class StreamedQueryTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    mw::test::DaemonOptions options;
    options.check_results = false;  // as shipped: checking a result needs it whole
    // One I/O thread, shared by every connection: a stream must never hold it.
    options.config_text = "[server]\nio_threads = 1\n";
    daemon_ = std::make_unique<mw::test::DaemonProcess>(options);
    auto c = mw::test::RpcClient::unix_socket(daemon_->socket_path());
    for (int i = 0; i < kVms; ++i)
      c.call(
          "vm.create",
          {json::object{{"name", "big" + std::to_string(i)}, {"memory", 64}, {"description", std::string(1000, 'd')}}});
  }
  static void TearDownTestSuite() { daemon_.reset(); }

  static json::object query_request(const char* id) {
    return {{"jsonrpc", "2.0"}, {"id", id}, {"method", "vm.query"}, {"params", json::array{}}};
  }

  static inline std::unique_ptr<mw::test::DaemonProcess> daemon_;
};

TEST_F(StreamedQueryTest, AnswerOverAMegabyteIsOneMessageOfSeveralFrames) {
  FrameReader reader(daemon_->socket_path());
  reader.send(query_request("all"));
  const auto frames = reader.next_message();
  ASSERT_GT(frames.size(), 2u);
  EXPECT_EQ(frames.front().opcode, 1) << "a text message";
  EXPECT_FALSE(frames.front().fin);
  for (std::size_t i = 1; i < frames.size(); ++i) EXPECT_EQ(frames[i].opcode, 0) << "continuation frame " << i;
  const std::string text = payload_of(frames);
  EXPECT_GT(text.size(), std::size_t{1} << 20);
  const json::object answer = json::parse(text).as_object();
  EXPECT_EQ(answer.at("id"), "all");
  EXPECT_EQ(answer.at("jsonrpc"), "2.0");
  const json::array& vms = answer.at("result").as_array();
  ASSERT_EQ(vms.size(), static_cast<std::size_t>(kVms));

  // Every entry is the one a small answer, written whole, gives.
  auto c = mw::test::RpcClient::unix_socket(daemon_->socket_path());
  for (const auto& vm : vms) {
    const int64_t id = vm.at("id").as_int64();
    ASSERT_EQ(vm, c.call("vm.get_instance", {id})) << "VM " << id;
  }
}

TEST_F(StreamedQueryTest, CallsSentBehindAStreamedAnswerAreAnsweredAfterIt) {
  FrameReader reader(daemon_->socket_path());
  reader.send(query_request("first"));
  reader.send({{"jsonrpc", "2.0"}, {"id", "ping"}, {"method", "core.ping"}, {"params", json::array{}}});
  reader.send(query_request("second"));
  const auto first = json::parse(payload_of(reader.next_message())).as_object();
  EXPECT_EQ(first.at("id"), "first");
  const auto ping = json::parse(payload_of(reader.next_message())).as_object();
  EXPECT_EQ(ping.at("id"), "ping");
  EXPECT_EQ(ping.at("result"), "pong");
  const auto second = json::parse(payload_of(reader.next_message())).as_object();
  EXPECT_EQ(second.at("id"), "second");
  EXPECT_EQ(second.at("result"), first.at("result"));
}

// Thirty answers of 1.2 MB asked for at once, before reading any: more than the 32 MiB a
// connection may have queued, had they been built whole (such a client used to be dropped as too
// slow). A queued stream counts as 1 MiB against that limit (FrameGate::Queued::size), so thirty
// stay under it, and all of them arrive.
TEST_F(StreamedQueryTest, ManyLargeAnswersAskedForBeforeReadingAllArrive) {
  FrameReader reader(daemon_->socket_path());
  constexpr int kQueries = 30;
  for (int q = 0; q < kQueries; ++q)
    reader.send({{"jsonrpc", "2.0"}, {"id", q}, {"method", "vm.query"}, {"params", json::array{}}});
  std::this_thread::sleep_for(std::chrono::milliseconds(500));  // a slow reader: the daemon has likely run every call
  json::value first;
  for (int q = 0; q < kQueries; ++q) {
    json::object answer = json::parse(payload_of(reader.next_message())).as_object();
    ASSERT_EQ(answer.at("id"), q);
    ASSERT_EQ(answer.at("result").as_array().size(), static_cast<std::size_t>(kVms));
    if (q == 0)
      first = std::move(answer.at("result"));
    else
      EXPECT_EQ(answer.at("result"), first) << "answer " << q;
  }
}

// Past the limit, a client that asks for large answers and reads none is dropped, streams or not:
// forty queued streams count as 40 MiB.
TEST_F(StreamedQueryTest, AClientThatAsksForMoreThanTheLimitAndReadsNoneIsDropped) {
  FrameReader reader(daemon_->socket_path());
  for (int q = 0; q < 40; ++q)
    reader.send({{"jsonrpc", "2.0"}, {"id", q}, {"method", "vm.query"}, {"params", json::array{}}});
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  int answers = 0;
  bool closed = false;
  try {
    for (; answers < 40; ++answers) reader.next_message();
  } catch (const boost::system::system_error&) {
    closed = true;
  }
  EXPECT_TRUE(closed) << answers << " answers, then the connection stayed open";
  EXPECT_LT(answers, 40);
  auto other = mw::test::RpcClient::unix_socket(daemon_->socket_path());
  EXPECT_EQ(other.call("core.ping"), "pong");
}

// A client that asks for a large answer and does not read it holds only its own connection: the
// parts wait for its socket, while the I/O threads go on serving everyone else. Going away in the
// middle of the message ends that connection alone.
TEST_F(StreamedQueryTest, AClientThatStopsReadingOrLeavesMidAnswerHoldsUpNoOneElse) {
  for (int i = 0; i < 3; ++i) {
    auto stalled = std::make_unique<FrameReader>(daemon_->socket_path());
    for (int q = 0; q < 4; ++q) stalled->send(query_request("unread"));
    if (i == 0) stalled->next_frame();  // once, leave with the message begun
    // On the stalled connection's I/O thread: the daemon runs one.
    auto other = mw::test::RpcClient::unix_socket(daemon_->socket_path());
    for (int k = 0; k < 20; ++k) EXPECT_EQ(other.call("core.ping"), "pong");
    EXPECT_EQ(other.call("vm.query", {json::array{json::array{"name", "=", "big1"}}}).as_array().size(), 1u);
    stalled.reset();  // the client goes away with parts unsent
  }
  auto c = mw::test::RpcClient::unix_socket(daemon_->socket_path());
  EXPECT_EQ(c.call("vm.query").as_array().size(), static_cast<std::size_t>(kVms));
}

// Beast's own client (midclt's) reads the streamed message whole, and the connection goes on.
TEST_F(StreamedQueryTest, ABeastClientReadsTheStreamedAnswerWhole) {
  auto c = mw::test::RpcClient::unix_socket(daemon_->socket_path());
  const json::value all = c.call("vm.query");
  ASSERT_EQ(all.as_array().size(), static_cast<std::size_t>(kVms));
  EXPECT_EQ(c.call("vm.query", {json::array{json::array{"name", "^", "big"}}}), all);
  EXPECT_EQ(c.call("core.ping"), "pong") << "the connection serves calls after it";
}

}  // namespace
