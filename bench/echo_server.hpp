#pragma once
// A bare Beast WebSocket server on a unix socket that answers every text message with the same
// bytes: the floor for an answer of that size (no parsing, no dispatch, no building of the answer).
// One thread per connection, blocking reads and writes.
#include <unistd.h>

#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/local/stream_protocol.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>

namespace mw::bench {

class BytesEchoServer {
 public:
  BytesEchoServer(std::string path, std::string reply)
      : path_(std::move(path)), reply_(std::make_shared<const std::string>(std::move(reply))) {
    ::unlink(path_.c_str());
    acceptor_.open(local());
    acceptor_.bind(local::endpoint(path_));
    acceptor_.listen();
    accept();
    thread_ = std::thread([this] { io_.run(); });
  }
  // Every client must have disconnected first: a session's socket belongs to io_.
  ~BytesEchoServer() {
    io_.stop();
    thread_.join();
    for (auto& t : sessions_) t.join();
    ::unlink(path_.c_str());
  }
  const std::string& path() const { return path_; }

 private:
  using local = boost::asio::local::stream_protocol;
  void accept() {
    acceptor_.async_accept([this](boost::beast::error_code ec, local::socket s) {
      if (!ec) sessions_.emplace_back([s = std::move(s), reply = reply_]() mutable { session(std::move(s), *reply); });
      accept();
    });
  }
  static void session(local::socket s, const std::string& reply) {
    try {
      boost::beast::websocket::stream<local::socket> ws(std::move(s));
      ws.accept();
      boost::beast::flat_buffer buf;
      for (;;) {
        ws.read(buf);
        buf.consume(buf.size());
        ws.text(true);
        ws.write(boost::asio::buffer(reply));
      }
    } catch (...) {
    }
  }
  std::string path_;
  std::shared_ptr<const std::string> reply_;
  boost::asio::io_context io_;
  local::acceptor acceptor_{io_};
  std::thread thread_;
  std::vector<std::thread> sessions_;  // touched only by thread_ until it is joined
};

}  // namespace mw::bench
