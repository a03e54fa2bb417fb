// A result a handler streams (ResultText::stream) leaves as one WebSocket message of several
// frames, written as the socket takes them; test.stream makes one of any size, and one that fails
// half-way. Where the whole result is needed (the result check), it is answered whole instead.
#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <boost/json/parse.hpp>

#include "support/daemon_process.hpp"
#include "support/frame_reader.hpp"
#include "support/rpc_client.hpp"

namespace mw::test {
namespace {

namespace json = boost::json;
using namespace std::chrono_literals;

json::object stream_call(const char* id, int count, int size, json::value fail_after = nullptr) {
  return {{"jsonrpc", "2.0"}, {"id", id}, {"method", "test.stream"}, {"params", json::array{count, size, fail_after}}};
}

bool log_has(const DaemonProcess& daemon, const std::string& text) {
  for (int i = 0; i < 100; ++i) {
    if (daemon.log().find(text) != std::string::npos) return true;
    std::this_thread::sleep_for(20ms);
  }
  return false;
}

class StreamedAnswerTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    DaemonOptions options;
    options.check_results = false;  // as shipped: the result check takes whole answers only
    daemon_ = std::make_unique<DaemonProcess>(options);
  }
  static void TearDownTestSuite() { daemon_.reset(); }
  static inline std::unique_ptr<DaemonProcess> daemon_;
};

TEST_F(StreamedAnswerTest, AStreamedResultIsOneMessageOfSeveralFramesHoldingTheWholeResult) {
  FrameReader reader(daemon_->socket_path());
  reader.send(stream_call("big", 300, 10000));
  const auto frames = reader.next_message();
  ASSERT_GT(frames.size(), 2u) << "3 MB in parts";
  EXPECT_EQ(frames.front().opcode, 1);
  for (std::size_t i = 1; i < frames.size(); ++i) EXPECT_EQ(frames[i].opcode, 0) << "continuation frame " << i;
  const json::object answer = json::parse(payload_of(frames)).as_object();
  EXPECT_EQ(answer.at("id"), "big");
  const json::array& strings = answer.at("result").as_array();
  ASSERT_EQ(strings.size(), 300u);
  for (const auto& s : strings) ASSERT_EQ(s.as_string(), std::string(10000, 'x'));
}

// A message cut short cannot be finished: the connection ends, and only that one. The failure is
// in the daemon's log.
TEST_F(StreamedAnswerTest, APartThatFailsEndsItsConnectionAloneAndIsLogged) {
  FrameReader reader(daemon_->socket_path());
  reader.send(stream_call("fails", 300, 10000, 150));
  std::vector<WireFrame> frames;
  bool closed = false;
  try {
    do frames.push_back(reader.next_frame());
    while (!frames.back().fin);
  } catch (const boost::system::system_error&) {
    closed = true;
  }
  EXPECT_TRUE(closed) << "the daemon closes the connection, the message unfinished";
  EXPECT_FALSE(frames.empty()) << "the parts before the failure were sent";
  EXPECT_TRUE(log_has(*daemon_, "unexpected exception in a streamed answer: test.stream failed on purpose"))
      << daemon_->log();
  auto other = RpcClient::unix_socket(daemon_->socket_path());
  EXPECT_EQ(other.call("core.ping"), "pong");
}

// Under the result check (as the test suites run) the result is answered whole, in one frame, and
// a failure while writing it is an error answer, not a connection closed.
TEST(StreamedAnswerUnderTheResultCheck, IsAnsweredWholeAndAFailureIsAnErrorAnswer) {
  DaemonProcess daemon;
  FrameReader reader(daemon.socket_path());
  reader.send(stream_call("whole", 300, 10000));
  const auto frames = reader.next_message();
  ASSERT_EQ(frames.size(), 1u);
  EXPECT_EQ(json::parse(frames[0].payload).at("result").as_array().size(), 300u);
  reader.send(stream_call("fails", 300, 10000, 150));
  const json::object failed = json::parse(payload_of(reader.next_message())).as_object();
  EXPECT_EQ(failed.at("id"), "fails");
  EXPECT_TRUE(failed.contains("error")) << json::serialize(failed);
  reader.send(stream_call("after", 1, 1));
  EXPECT_EQ(json::parse(payload_of(reader.next_message())).at("result"), json::parse(R"(["x"])"));
}

}  // namespace
}  // namespace mw::test
