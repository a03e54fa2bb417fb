// The only file that includes Boost.Beast. One io_context, driven on the caller's thread: each
// blocking call runs it until its own condition holds or its deadline passes. A read is always
// outstanding after the handshake, so frames (and the server's pings) are consumed while we
// wait for anything, and no operation ever has to be cancelled half-way.
#include "midclt/ws_transport.hpp"

#include <cerrno>
#include <deque>

#include <boost/asio/connect.hpp>
#include <boost/asio/generic/stream_protocol.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>

namespace midclt {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
namespace ssl = asio::ssl;
using Socket = asio::generic::stream_protocol::socket;
using boost::system::error_code;

namespace {

constexpr std::size_t kMaxMessage = 256u * 1024 * 1024;
constexpr auto kCloseWait = std::chrono::milliseconds(200);

bool means_not_running(const error_code& ec) {
  return ec.value() == ENOENT || ec.value() == ECONNREFUSED || ec == asio::error::connection_refused ||
         ec == asio::error::not_found;
}

}  // namespace

ConnectionClosed::ConnectionClosed(std::optional<int> close_code, std::string close_reason)
    : std::runtime_error("WebSocket connection closed"), code(close_code), reason(std::move(close_reason)) {}

// What the transport needs of a connection, whatever lies under the WebSocket.
struct WsTransport::Impl {
  virtual ~Impl() = default;
  virtual void send(std::string_view text) = 0;
  virtual std::optional<std::string> receive(std::optional<Clock::time_point> deadline) = 0;
  virtual void close() = 0;
  virtual void abort_socket() = 0;
};

namespace {

// Plain: Socket. TLS: beast::ssl_stream<Socket>.
template <class Next>
struct Connection final : WsTransport::Impl {
  asio::io_context ioc{1};
  std::optional<ssl::context> tls;  // outlives `ws`, which refers to it
  websocket::stream<Next> ws;
  beast::flat_buffer buffer;
  std::deque<std::string> inbox;
  std::optional<error_code> read_error;

  // Runs handlers until `done()` or the deadline; returns done().
  template <class Done>
  bool run_until(Done done, std::optional<Clock::time_point> deadline) {
    while (!done()) {
      if (ioc.stopped()) ioc.restart();
      std::size_t ran = deadline ? ioc.run_one_until(*deadline) : ioc.run_one();
      if (ran == 0) {
        if (deadline && Clock::now() >= *deadline) break;
        if (ioc.stopped() && !done()) {
          // Nothing left to wait for: the condition can no longer become true.
          ioc.restart();
          if (ioc.poll() == 0) break;
        }
      }
    }
    return done();
  }

  void start_read() {
    ws.async_read(buffer, [this](error_code ec, std::size_t) {
      if (ec) {
        read_error = ec;
        return;
      }
      inbox.push_back(beast::buffers_to_string(buffer.data()));
      buffer.consume(buffer.size());
      start_read();
    });
  }

  explicit Connection(bool use_tls, bool verify) : tls(make_tls(use_tls, verify)), ws(make_next()) {}

  static std::optional<ssl::context> make_tls(bool use_tls, bool verify) {
    if (!use_tls) return std::nullopt;
    ssl::context ctx(ssl::context::tls_client);
    error_code ignored;
    ctx.set_default_verify_paths(ignored);
    ctx.set_verify_mode(verify ? ssl::verify_peer : ssl::verify_none);
    return ctx;
  }
  websocket::stream<Next> make_next() {
    if constexpr (std::is_same_v<Next, Socket>)
      return websocket::stream<Next>(ioc);
    else
      return websocket::stream<Next>(ioc, *tls);
  }

  void abort_socket() override {
    error_code ignored;
    beast::get_lowest_layer(ws).close(ignored);
  }

  [[noreturn]] void throw_closed() {
    if (read_error && *read_error == websocket::error::closed) {
      const auto& reason = ws.reason();
      throw ConnectionClosed(static_cast<int>(reason.code), std::string(reason.reason.data(), reason.reason.size()));
    }
    throw ConnectionClosed(std::nullopt, read_error ? read_error->message() : std::string());
  }

  void connect_unix(const Endpoint& ep) {
    error_code ec;
    beast::get_lowest_layer(ws).connect(asio::local::stream_protocol::endpoint(ep.socket_path), ec);
    if (ec) {
      if (means_not_running(ec)) throw DaemonNotRunning(ec.message());
      throw ConnectFailed("Cannot connect to " + ep.socket_path + ": " + ec.message());
    }
  }

  void connect_tcp(const Endpoint& ep, Clock::time_point deadline) {
    error_code ec;
    std::vector<asio::ip::tcp::endpoint> candidates;
    auto address = asio::ip::make_address(ep.host, ec);
    if (!ec) {
      candidates.emplace_back(address, ep.port);
    } else {
      asio::ip::tcp::resolver resolver(ioc);
      auto results = resolver.resolve(ep.host, std::to_string(ep.port), ec);
      if (ec) throw ConnectFailed("Cannot resolve " + ep.host + ": " + ec.message());
      for (const auto& r : results) candidates.push_back(r.endpoint());
    }
    error_code last = asio::error::host_not_found;
    for (const auto& candidate : candidates) {
      auto& socket = beast::get_lowest_layer(ws);
      if (socket.is_open()) socket.close(ec);
      bool done = false;
      socket.async_connect(asio::generic::stream_protocol::endpoint(candidate), [&](error_code result) {
        last = result;
        done = true;
      });
      if (!run_until([&] { return done; }, deadline)) {
        abort_socket();
        run_until([&] { return done; }, std::nullopt);
        throw ConnectFailed("Timed out connecting to " + ep.host + ":" + std::to_string(ep.port));
      }
      if (!last) {
        socket.set_option(asio::ip::tcp::no_delay(true), ec);
        socket.set_option(asio::socket_base::keep_alive(true), ec);
        return;
      }
    }
    if (means_not_running(last)) throw DaemonNotRunning(last.message());
    throw ConnectFailed("Cannot connect to " + ep.host + ":" + std::to_string(ep.port) + ": " + last.message());
  }

  // The TLS handshake, with SNI and the host name check, before the WebSocket one.
  void tls_handshake(const Endpoint& ep, Clock::time_point deadline, bool verify) {
    if constexpr (!std::is_same_v<Next, Socket>) {
      auto& stream = ws.next_layer();
      // OpenSSL's own name check, so that a mismatch has its own verify result; SNI for names only.
      error_code not_ip;
      asio::ip::make_address(ep.host, not_ip);
      if (not_ip) {
        SSL_set_tlsext_host_name(stream.native_handle(), ep.host.c_str());
        if (verify) SSL_set1_host(stream.native_handle(), ep.host.c_str());
      } else if (verify) {
        X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(stream.native_handle()), ep.host.c_str());
      }
      bool done = false;
      error_code result;
      stream.async_handshake(ssl::stream_base::client, [&](error_code ec) {
        result = ec;
        done = true;
      });
      if (!run_until([&] { return done; }, deadline)) {
        abort_socket();
        run_until([&] { return done; }, std::nullopt);
        throw ConnectFailed("Timed out in the TLS handshake with " + ep.host);
      }
      if (result) {
        const long verdict = SSL_get_verify_result(stream.native_handle());
        if (verify && verdict != X509_V_OK) throw CertificateRejected(X509_verify_cert_error_string(verdict));
        throw ConnectFailed("TLS handshake failed: " + result.message());
      }
    }
  }

  void handshake(const Endpoint& ep, Clock::time_point deadline) {
    ws.read_message_max(kMaxMessage);
    ws.auto_fragment(false);
    ws.set_option(websocket::stream_base::decorator(
        [](websocket::request_type& req) { req.set(beast::http::field::user_agent, "midclt/" MIDCLT_VERSION); }));
    websocket::response_type response;
    bool done = false;
    error_code result;
    ws.async_handshake(response, ep.host_header, ep.target, [&](error_code ec) {
      result = ec;
      done = true;
    });
    if (!run_until([&] { return done; }, deadline)) {
      abort_socket();
      run_until([&] { return done; }, std::nullopt);
      throw ConnectFailed("Failed connection handshake");
    }
    if (result) {
      if (response.result_int() != 0 && response.result() != beast::http::status::switching_protocols)
        throw ConnectFailed("WebSocket handshake failed: HTTP " + std::to_string(response.result_int()) + " " +
                            std::string(response.reason()));
      throw ConnectFailed("WebSocket handshake failed: " + result.message());
    }
    ws.text(true);
    start_read();
  }

  void send(std::string_view text) override {
    if (read_error) throw_closed();
    bool done = false;
    error_code result;
    ws.async_write(asio::buffer(text.data(), text.size()), [&](error_code ec, std::size_t) {
      result = ec;
      done = true;
    });
    run_until([&] { return done; }, std::nullopt);
    if (result) {
      if (!read_error) read_error = result;
      throw_closed();
    }
  }

  std::optional<std::string> receive(std::optional<Clock::time_point> deadline) override {
    run_until([&] { return !inbox.empty() || read_error.has_value(); }, deadline);
    if (!inbox.empty()) {
      std::string message = std::move(inbox.front());
      inbox.pop_front();
      return message;
    }
    if (read_error) throw_closed();
    return std::nullopt;
  }

  void close() override {
    if (read_error) return;
    bool done = false;
    ws.async_close(websocket::close_code::normal, [&](error_code) { done = true; });
    run_until([&] { return done || read_error.has_value(); }, Clock::now() + kCloseWait);
    abort_socket();
  }

  void open(const Endpoint& endpoint, Clock::time_point deadline, bool verify) {
    if (endpoint.kind == Endpoint::Kind::UnixSocket)
      connect_unix(endpoint);
    else
      connect_tcp(endpoint, deadline);
    tls_handshake(endpoint, deadline, verify);
    handshake(endpoint, deadline);
  }
};

}  // namespace

WsTransport::WsTransport(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

WsTransport::~WsTransport() {
  if (impl_) impl_->abort_socket();
}

std::unique_ptr<WsTransport> WsTransport::connect(const Endpoint& endpoint, Clock::time_point deadline, bool verify) {
  std::unique_ptr<Impl> impl;
  if (endpoint.tls) {
    auto c = std::make_unique<Connection<beast::ssl_stream<Socket>>>(true, verify);
    c->open(endpoint, deadline, verify);
    impl = std::move(c);
  } else {
    auto c = std::make_unique<Connection<Socket>>(false, verify);
    c->open(endpoint, deadline, verify);
    impl = std::move(c);
  }
  return std::unique_ptr<WsTransport>(new WsTransport(std::move(impl)));
}

void WsTransport::send(std::string_view text) { impl_->send(text); }

std::optional<std::string> WsTransport::receive(std::optional<Clock::time_point> deadline) {
  return impl_->receive(deadline);
}

void WsTransport::close() { impl_->close(); }

}  // namespace midclt
