#pragma once
// A WebSocket client over a unix socket that reads each message's frames raw into one buffer it
// keeps, checking nothing and keeping nothing: the least a client can do to receive a message.
// Beast's own reader (RpcClient) also validates the text as UTF-8, grows a buffer and copies the
// message into a string; for a 12 MB answer that costs about as much as sending it, so a figure
// taken with it is partly the client's. The bench times both ways, each against the same echo.
#include <algorithm>
#include <cstddef>
#include <cstring>
#include <stdexcept>
#include <string>
#include <vector>

#include <boost/asio/local/stream_protocol.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>

namespace mw::bench {

class RawMessageReader {
 public:
  explicit RawMessageReader(const std::string& socket_path) : buffer_(kBuffer) {
    ws_.next_layer().connect(boost::asio::local::stream_protocol::endpoint(socket_path));
    ws_.handshake("localhost", "/api/current");
    ws_.text(true);
  }

  void send_text(const std::string& text) { ws_.write(boost::asio::buffer(text)); }

  // Reads the frames of the next message up to its final one; returns the payload's size. With
  // `head`, also keeps the payload's first `head_bytes` there (enough to tell a result from an
  // error without parsing the message).
  std::size_t receive_message(std::string* head = nullptr, std::size_t head_bytes = 0) {
    if (head) head->clear();
    std::size_t payload = 0;
    for (bool fin = false; !fin;) {
      need(2);
      const auto b0 = static_cast<unsigned char>(buffer_[begin_]);
      const auto b1 = static_cast<unsigned char>(buffer_[begin_ + 1]);
      fin = (b0 & 0x80) != 0;
      std::size_t size = b1 & 0x7f;
      std::size_t header = 2;
      if (size >= 126) {
        const std::size_t n = size == 126 ? 2 : 8;
        need(2 + n);
        size = 0;
        for (std::size_t i = 0; i < n; ++i) size = (size << 8) | static_cast<unsigned char>(buffer_[begin_ + 2 + i]);
        header += n;
      }
      begin_ += header;
      payload += size;
      // The payload is skipped as it arrives: what is buffered, then whatever the socket brings.
      while (size > 0) {
        if (begin_ == end_) fill();
        const std::size_t take = std::min(size, end_ - begin_);
        if (head && head->size() < head_bytes)
          head->append(buffer_.data() + begin_, std::min(take, head_bytes - head->size()));
        begin_ += take;
        size -= take;
      }
    }
    return payload;
  }

 private:
  static constexpr std::size_t kBuffer = std::size_t{1} << 20;

  // At least `n` bytes buffered from begin_.
  void need(std::size_t n) {
    while (end_ - begin_ < n) fill();
  }
  void fill() {
    if (begin_ > 0) {
      std::memmove(buffer_.data(), buffer_.data() + begin_, end_ - begin_);
      end_ -= begin_;
      begin_ = 0;
    }
    end_ += ws_.next_layer().read_some(boost::asio::buffer(buffer_.data() + end_, buffer_.size() - end_));
  }

  boost::asio::io_context io_;
  boost::beast::websocket::stream<boost::asio::local::stream_protocol::socket> ws_{io_};
  std::vector<char> buffer_;
  std::size_t begin_ = 0, end_ = 0;
};

}  // namespace mw::bench
