#pragma once
// The WebSocket transport of an RpcClient over any stream (plain socket or TLS): handshake,
// frames out, the next frame in with a timeout. Included by the two client translation units
// only (rpc_client.cpp, tls_client.cpp): it pulls in Boost.Beast.
#include <chrono>
#include <stdexcept>
#include <string>

#include <boost/asio/io_context.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>

#include "support/rpc_client_impl.hpp"

namespace mw::test {

template <class Stream>
struct WsTransport : RpcClient::Impl {
  // `stream_args` after the io_context build the stream (a TLS stream also takes its context).
  template <class... Args>
  explicit WsTransport(Args&... stream_args) : ws(io, stream_args...) {}

  void handshake(const std::string& path) {
    namespace websocket = boost::beast::websocket;
    ws.set_option(websocket::stream_base::decorator(
        [](websocket::request_type& req) { req.set(boost::beast::http::field::user_agent, "mw-test-client"); }));
    ws.handshake("localhost", path);
  }

  void write(const std::string& frame, bool binary) override {
    ws.binary(binary);
    ws.write(boost::asio::buffer(frame));
  }

  std::string read(std::chrono::milliseconds timeout) override {
    boost::beast::error_code result = boost::asio::error::would_block;
    bool done = false;
    ws.async_read(buffer, [&](boost::beast::error_code ec, std::size_t) {
      result = ec;
      done = true;
    });
    io.restart();
    io.run_for(timeout);
    if (!done) {
      boost::beast::get_lowest_layer(ws).cancel();
      io.restart();
      io.run();
      throw std::runtime_error("timed out waiting for a message");
    }
    if (result) {
      auto reason = ws.reason();
      throw ConnectionClosed(reason.code, std::string(reason.reason.c_str()));
    }
    std::string text = boost::beast::buffers_to_string(buffer.data());
    buffer.consume(buffer.size());
    return text;
  }

  boost::asio::io_context io;  // first: the stream is built on it
  boost::beast::websocket::stream<Stream> ws;
  boost::beast::flat_buffer buffer;
};

}  // namespace mw::test
