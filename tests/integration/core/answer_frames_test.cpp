// Answers are written to the socket by the worker threads that produce them, events by whatever
// thread publishes them, pongs by Beast on the I/O thread (server/frame_gate.hpp). Whatever the
// interleaving, and however full the socket gets, the client must read a valid stream of whole
// frames, every answer intact.
#include <gtest/gtest.h>

#include <map>
#include <set>
#include <thread>

#include <boost/asio/local/stream_protocol.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "support/daemon_process.hpp"

namespace mw::test {
namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
namespace json = boost::json;
using local = net::local::stream_protocol;
using namespace std::chrono_literals;

class RawClient {
 public:
  explicit RawClient(const std::filesystem::path& sock) {
    ws_.next_layer().connect(local::endpoint(sock.string()));
    ws_.handshake("localhost", "/api/current");
    ws_.read_message_max(16u << 20);
    ws_.control_callback([this](websocket::frame_type kind, beast::string_view) {
      if (kind == websocket::frame_type::pong) ++pongs_;
    });
    ws_.text(true);
  }
  void send(const json::object& request) { ws_.write(net::buffer(json::serialize(request))); }
  void ping() { ws_.ping({}); }
  // The next text message (pongs are counted on the way).
  json::object next() {
    beast::flat_buffer buf;
    ws_.read(buf);
    return json::parse(beast::buffers_to_string(buf.data())).as_object();
  }
  int pongs() const { return pongs_; }

 private:
  net::io_context io_;
  websocket::stream<local::socket> ws_{io_};
  int pongs_ = 0;
};

json::object call(std::string id, std::string method, json::array params) {
  return {{"jsonrpc", "2.0"}, {"id", std::move(id)}, {"method", std::move(method)}, {"params", std::move(params)}};
}

// One round: `echoes` calls of test.echo with `size`-character strings, a test.publish of
// `events` events, pings where `ping_every` says; then a pause without reading; then every answer
// is read and checked. Returns the events seen on the way.
struct Round {
  int echoes, size, events, ping_every;
  bool ping_first;  // a pong must not wait behind answers the client is not reading yet
};

int run_round(RawClient& client, int r, const Round& round, int& pings) {
  std::map<std::string, std::string> expected;
  if (round.ping_first) {
    client.ping();
    ++pings;
  }
  for (int i = 0; i < round.echoes; ++i) {
    std::string payload(static_cast<std::size_t>(round.size), static_cast<char>('a' + i % 26));
    payload += std::to_string(r);
    std::string id = "echo-" + std::to_string(r) + "-" + std::to_string(i);
    expected[id] = payload;
    client.send(call(id, "test.echo", {payload}));
    if (round.ping_every > 0 && i % round.ping_every == 0) {
      client.ping();
      ++pings;
    }
  }
  std::string publish_id = "publish-" + std::to_string(r);
  client.send(call(publish_id, "test.publish", {round.events}));
  std::this_thread::sleep_for(50ms);

  int events_seen = 0;
  std::set<std::string> answered;
  while (answered.size() < expected.size() + 1) {
    json::object message = client.next();
    if (!message.contains("id")) {
      EXPECT_EQ(message.at("params").at("collection"), "test.events") << json::serialize(message);
      ++events_seen;
      continue;
    }
    std::string id(message.at("id").as_string());
    EXPECT_TRUE(answered.insert(id).second) << "answered twice: " << id;
    if (id == publish_id) continue;
    EXPECT_TRUE(expected.count(id)) << json::serialize(message).substr(0, 200);
    EXPECT_EQ(message.at("result").as_string(), expected[id]) << id;
  }
  return events_seen;
}

// Reads until every awaited event and pong is in (they may trail the last answer).
void drain(RawClient& client, int& events_seen, int events_expected, int pings) {
  for (int i = 0; i < 100 && (events_seen < events_expected || client.pongs() < pings); ++i) {
    std::string id = "tail-" + std::to_string(i);
    client.send(call(id, "core.ping", {}));
    for (;;) {
      json::object message = client.next();
      if (!message.contains("id")) {
        ++events_seen;
        continue;
      }
      if (message.at("id").as_string() == id) break;
    }
  }
}

// A daemon, one subscribed client, `count` rounds, then every event and pong accounted for.
void run_rounds(int count, const Round& round) {
  DaemonProcess daemon;
  RawClient client(daemon.socket_path());
  client.send(call("sub", "core.subscribe", {"test.events"}));
  ASSERT_EQ(client.next().at("id"), "sub");
  int pings = 0, events_seen = 0;
  for (int r = 0; r < count; ++r) events_seen += run_round(client, r, round, pings);
  drain(client, events_seen, count * round.events, pings);
  EXPECT_EQ(events_seen, count * round.events);
  EXPECT_EQ(client.pongs(), pings);
}

TEST(AnswerFrames, AnswersEventsAndPongsInterleaveAsWholeFrames) {
  run_rounds(30, {.echoes = 10, .size = 1000, .events = 50, .ping_every = 3, .ping_first = false});
}

TEST(AnswerFrames, AnswersTooBigForTheSocketArriveWhole) {
  // Ten answers of 60 000 characters are more than the socket holds while the client does not
  // read: some go out in pieces, the rest queue behind them, events in between.
  run_rounds(5, {.echoes = 10, .size = 60000, .events = 200, .ping_every = 0, .ping_first = true});
}

}  // namespace
}  // namespace mw::test
