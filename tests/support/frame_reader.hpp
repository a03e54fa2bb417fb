#pragma once
// A WebSocket client over the daemon's unix socket that sends requests as usual and reads the
// server's frames raw, one by one: for tests of how an answer is cut into frames on the wire.
#include <gtest/gtest.h>

#include <cstddef>
#include <filesystem>
#include <string>
#include <vector>

#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/read.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

namespace mw::test {

// One frame as the server sent it (server frames are never masked).
struct WireFrame {
  int opcode = 0;
  bool fin = false;
  std::string payload;
};

// A client that speaks WebSocket for the handshake and its requests, and reads the server's frames
// raw, one by one.
class FrameReader {
 public:
  explicit FrameReader(const std::filesystem::path& sock) {
    ws_.next_layer().connect(boost::asio::local::stream_protocol::endpoint(sock.string()));
    ws_.handshake("localhost", "/api/current");
    ws_.text(true);
  }
  void send(const boost::json::object& request) { ws_.write(boost::asio::buffer(boost::json::serialize(request))); }
  WireFrame next_frame() {
    unsigned char head[2];
    boost::asio::read(ws_.next_layer(), boost::asio::buffer(head));
    WireFrame f;
    f.fin = (head[0] & 0x80) != 0;
    f.opcode = head[0] & 0x0f;
    EXPECT_EQ(head[1] & 0x80, 0) << "a server frame is not masked";
    std::size_t size = head[1] & 0x7f;
    if (size >= 126) {
      unsigned char ext[8];
      const std::size_t n = size == 126 ? 2 : 8;
      boost::asio::read(ws_.next_layer(), boost::asio::buffer(ext, n));
      size = 0;
      for (std::size_t i = 0; i < n; ++i) size = (size << 8) | ext[i];
    }
    f.payload.resize(size);
    boost::asio::read(ws_.next_layer(), boost::asio::buffer(f.payload));
    return f;
  }
  // The frames of the next message (control frames included, should one come between).
  std::vector<WireFrame> next_message() {
    std::vector<WireFrame> frames;
    do frames.push_back(next_frame());
    while (!frames.back().fin);
    return frames;
  }

 private:
  boost::asio::io_context io_;
  boost::beast::websocket::stream<boost::asio::local::stream_protocol::socket> ws_{io_};
};

// The message the frames make.
inline std::string payload_of(const std::vector<WireFrame>& frames) {
  std::string text;
  for (const auto& f : frames) text += f.payload;
  return text;
}

}  // namespace mw::test
