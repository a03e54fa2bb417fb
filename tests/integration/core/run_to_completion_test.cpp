// Methods that cannot block (MethodSpec::may_block = false) run to completion on the I/O thread
// that read their frame, which writes the answer; the rest go to the worker pool
// (docs/THREADS.md). The checks around a call stay what they were.
#include <gtest/gtest.h>

#include <set>
#include <thread>
#include <vector>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value_to.hpp>

#include "support/shared_daemon_test.hpp"

namespace mw::test {
namespace {

namespace json = boost::json;

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
