// Methods that cannot block (MethodSpec::may_block = false) run to completion on the I/O thread
// that read their frame, which writes the answer; the rest go to the worker pool
// (docs/THREADS.md). The checks around a call stay what they were.
#include <gtest/gtest.h>

#include <set>
#include <thread>
#include <vector>

#include <sys/socket.h>
#include <sys/time.h>

#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value_to.hpp>

#include "support/shared_daemon_test.hpp"

namespace mw::test {
namespace {

namespace json = boost::json;
namespace net = boost::asio;
using local = net::local::stream_protocol;

class RunToCompletionTest : public SharedDaemonTest {};

TEST_F(RunToCompletionTest, AMethodThatCannotBlockRunsOnAnIoThreadAndOneThatMayOnAWorker) {
  auto c = root();
  const std::string io = json::value_to<std::string>(c.call("test.thread_name"));
  EXPECT_EQ(io.rfind("mw-io-", 0), 0u) << io;
  const std::string worker = json::value_to<std::string>(c.call("test.worker_thread_name"));
  EXPECT_EQ(worker.rfind("mw-io-", 0), std::string::npos) << worker;
  // A connection stays on its I/O thread.
  for (int i = 0; i < 20; ++i) EXPECT_EQ(json::value_to<std::string>(c.call("test.thread_name")), io);
}

TEST_F(RunToCompletionTest, ConnectionsAreSpreadOverTheIoThreads) {
  std::set<std::string> threads;
  std::vector<RpcClient> clients;
  for (int i = 0; i < 8; ++i) {
    clients.push_back(root());
    threads.insert(json::value_to<std::string>(clients.back().call("test.thread_name")));
  }
  // One I/O thread per core; a machine with one core has one.
  EXPECT_EQ(threads.size(), std::min<std::size_t>(8, std::max(1u, std::thread::hardware_concurrency())));
}

TEST_F(RunToCompletionTest, AThrowingHandlerOnTheIoThreadAnswersTheFixedTextAndTheThreadGoesOn) {
  auto c = root();
  for (const char* kind : {"std", "other"}) {
    try {
      c.call("test.throw_inline", {kind});
      ADD_FAILURE() << kind << ": no error";
    } catch (const RpcError& e) {
      EXPECT_EQ(e.data.at("reason"), "Internal error (the daemon log has the details)") << kind;
      EXPECT_EQ(json::serialize(e.data).find("secret detail"), std::string::npos);
    }
  }
  EXPECT_EQ(c.call("core.ping"), "pong");
}

TEST_F(RunToCompletionTest, PipelinedCallsThatRunOnTheIoThreadAreAnsweredInTheOrderSent) {
  auto c = root();
  constexpr int kCalls = 200;
  for (int i = 0; i < kCalls; ++i)
    c.send_text(json::serialize(
        json::object{{"jsonrpc", "2.0"}, {"id", i}, {"method", i % 2 ? "core.ping" : "test.thread_name"}}));
  for (int i = 0; i < kCalls; ++i) {
    auto answer = json::parse(c.receive_text()).as_object();
    EXPECT_EQ(answer.at("id"), i);
    EXPECT_TRUE(answer.contains("result")) << json::serialize(answer);
  }
}

// One final text frame as a client sends it: masked (RFC 6455, 5.3). Short payloads only.
std::string client_text_frame(std::string_view payload) {
  const unsigned char key[4] = {0x5a, 0x13, 0xc7, 0x81};
  std::string frame{static_cast<char>(0x81), static_cast<char>(0x80 | payload.size())};
  frame.append(reinterpret_cast<const char*>(key), sizeof key);
  for (std::size_t i = 0; i < payload.size(); ++i) frame += static_cast<char>(payload[i] ^ key[i % 4]);
  return frame;
}

// Takes the whole server frames (unmasked, shorter than 64 KiB) off the front of `bytes`.
std::vector<std::string> take_server_frames(std::string& bytes) {
  std::vector<std::string> out;
  for (;;) {
    if (bytes.size() < 2) return out;
    std::size_t length = static_cast<unsigned char>(bytes[1]) & 0x7f, header = 2;
    if (length == 127) {
      ADD_FAILURE() << "a frame of 64 KiB or more";
      return out;
    }
    if (length == 126) {
      if (bytes.size() < 4) return out;
      length = (std::size_t{static_cast<unsigned char>(bytes[2])} << 8) | static_cast<unsigned char>(bytes[3]);
      header = 4;
    }
    if (bytes.size() < header + length) return out;
    out.push_back(bytes.substr(header, length));
    bytes.erase(0, header + length);
  }
}

// Calls that run to completion on the I/O thread and arrive in one read are answered together:
// their answers are held and leave in one write once the read's frames are handled, so the
// client's first read finds all of them, in the order sent. (Answers written one by one are
// usually, not always, read apart: the check can miss a broken hold, never fail a working one.)
TEST_F(RunToCompletionTest, CallsSentInOneWriteAreAnsweredInOneWriteInOrder) {
  net::io_context io;
  boost::beast::websocket::stream<local::socket> ws(io);
  ws.next_layer().connect(local::endpoint(daemon->socket_path().string()));
  ws.handshake("localhost", "/api/current");
  local::socket& socket = ws.next_layer();
  // A read that waits longer fails (EAGAIN) instead of hanging the suite.
  const timeval timeout{10, 0};
  ASSERT_EQ(setsockopt(socket.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout), 0);

  constexpr int kCalls = 24;
  std::string burst;
  for (int i = 0; i < kCalls; ++i)
    burst += client_text_frame(json::serialize(json::object{{"jsonrpc", "2.0"}, {"id", i}, {"method", "core.ping"}}));
  // The server reads at most Beast's read buffer (its private tcp_frame_size, 1 536 bytes) at a
  // time: a larger burst would be several reads, each with answers of its own.
  ASSERT_LE(burst.size(), 1536u);
  net::write(socket, net::buffer(burst));

  std::string bytes;
  std::vector<std::string> answers;
  std::size_t in_first_read = 0;
  for (int reads = 0; answers.size() < kCalls; ++reads) {
    char buffer[64 * 1024];
    bytes.append(buffer, socket.read_some(net::buffer(buffer)));
    for (auto& frame : take_server_frames(bytes)) answers.push_back(std::move(frame));
    if (reads == 0) in_first_read = answers.size();
  }
  EXPECT_TRUE(bytes.empty());
  EXPECT_EQ(in_first_read, std::size_t{kCalls}) << "the answers came in more than one write";
  for (int i = 0; i < kCalls; ++i) {
    auto answer = json::parse(answers[static_cast<std::size_t>(i)]).as_object();
    EXPECT_EQ(answer.at("id"), i);
    EXPECT_EQ(answer.at("result"), "pong") << json::serialize(answer);
  }
}

TEST_F(RunToCompletionTest, ChecksBeforeTheCallStillApplyOnTheIoThread) {
  // Not logged in: an anonymous TCP client gets core.ping (no_auth) but not test.thread_name.
  auto anonymous = RpcClient::tcp(daemon->tcp_port());
  EXPECT_EQ(anonymous.call("core.ping"), "pong");
  try {
    anonymous.call("test.thread_name");
    ADD_FAILURE() << "answered without a login";
  } catch (const RpcError& e) {
    EXPECT_EQ(e.data.at("errname"), "ENOTAUTHENTICATED");
  }
  // Schema validation runs too: test.thread_name takes no argument.
  try {
    root().call("test.thread_name", {1});
    ADD_FAILURE() << "an extra argument was accepted";
  } catch (const RpcError& e) {
    EXPECT_EQ(e.data.at("errname"), "EINVAL");
  }
}

}  // namespace
}  // namespace mw::test
