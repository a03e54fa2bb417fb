#pragma once
// A small client of the legacy /websocket protocol on top of the test RpcClient's
// raw frames: handshake, calls matched by id, and the other messages kept in arrival order.
#include <chrono>
#include <deque>
#include <string>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "support/rpc_client.hpp"

namespace mw::test {

class LegacyClient {
 public:
  explicit LegacyClient(RpcClient ws) : ws_(std::move(ws)) {}

  boost::json::object send(const boost::json::object& message) {
    ws_.send_text(boost::json::serialize(message));
    return next();
  }
  void post(const boost::json::object& message) { ws_.send_text(boost::json::serialize(message)); }
  void post_text(const std::string& frame) { ws_.send_text(frame); }

  // The next message of any kind, the kept ones first; throws ConnectionClosed.
  boost::json::object next(std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
    if (!kept_.empty()) {
      auto m = std::move(kept_.front());
      kept_.pop_front();
      return m;
    }
    return boost::json::parse(ws_.receive_text(timeout)).as_object();
  }

  void connect() {
    auto answer = send({{"msg", "connect"}, {"version", "1"}, {"support", boost::json::array{"1"}}});
    if (answer.at("msg") != "connected")
      throw std::runtime_error("legacy connect failed: " + boost::json::serialize(answer));
  }

  // Sends a call and returns its `result` message; other messages are kept for next().
  boost::json::object call(const std::string& id, const std::string& method,
                           boost::json::value params = boost::json::array{}) {
    post({{"msg", "method"}, {"id", id}, {"method", method}, {"params", params}});
    return answer_for(id);
  }

  boost::json::object answer_for(const std::string& id) {
    for (auto it = kept_.begin(); it != kept_.end(); ++it) {
      if (it->if_contains("msg") && it->at("msg") == "result" && it->at("id") == boost::json::value(id)) {
        auto m = std::move(*it);
        kept_.erase(it);
        return m;
      }
    }
    while (true) {
      auto m = boost::json::parse(ws_.receive_text(std::chrono::seconds(30))).as_object();
      if (m.at("msg") == "result" && m.at("id") == boost::json::value(id)) return m;
      kept_.push_back(std::move(m));
    }
  }

 private:
  RpcClient ws_;
  std::deque<boost::json::object> kept_;
};

}  // namespace mw::test
