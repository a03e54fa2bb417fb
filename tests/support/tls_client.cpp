// The test side's one TLS translation unit: wss:// RpcClient, HTTPS GET, certificate files.
#include "support/tls_client.hpp"

#include <fstream>

#include <sstream>
#include <stdexcept>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>

#include "support/run_command.hpp"
#include "support/ws_transport.hpp"

namespace mw::test {

namespace net = boost::asio;
namespace ssl = net::ssl;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;

namespace {

// Tests connect to a self-signed certificate made a moment ago: encryption, not identity, is
// what they check.
ssl::context client_context() {
  ssl::context ctx(ssl::context::tls_client);
  ctx.set_verify_mode(ssl::verify_none);
  return ctx;
}

// The TLS context must outlive the stream that uses it: a base built before the transport.
struct TlsContext {
  ssl::context ctx = client_context();
};

struct TlsImpl : TlsContext, WsTransport<ssl::stream<beast::tcp_stream>> {
  TlsImpl() : WsTransport(ctx) {}

  void connect(const std::string& address, uint16_t port, const std::string& path) {
    beast::get_lowest_layer(ws).connect(net::ip::tcp::endpoint(net::ip::make_address(address), port));
    beast::get_lowest_layer(ws).expires_after(std::chrono::seconds(30));
    ws.next_layer().handshake(ssl::stream_base::client);
    handshake(path);
    beast::get_lowest_layer(ws).expires_never();
  }
};

}  // namespace

RpcClient RpcClient::tls_to(const std::string& address, uint16_t port, std::string path) {
  auto impl = std::make_unique<TlsImpl>();
  impl->connect(address, port, path);
  return RpcClient(std::move(impl));
}

CertificateFiles make_self_signed_certificate(const std::filesystem::path& dir) {
  std::filesystem::create_directories(dir);
  CertificateFiles f{dir / "cert.pem", dir / "key.pem"};
  auto r = run_command({"openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
                        "-nodes", "-days", "1", "-subj", "/CN=localhost", "-keyout", f.private_key.string(), "-out",
                        f.certificate.string()});
  if (r.exit_code != 0) throw std::runtime_error("openssl req failed: " + r.err);
  return f;
}

uint16_t tls_listener_port(const std::filesystem::path& state_dir) {
  std::ifstream in(state_dir / "run" / "middlewared.tls");
  std::string addr;
  if (!std::getline(in, addr) || addr.empty()) throw std::runtime_error("the daemon wrote no TLS port file");
  return static_cast<uint16_t>(std::stoi(addr.substr(addr.rfind(':') + 1)));
}

std::string run_https_get(const std::string& address, uint16_t port, const std::string& target) {
  net::io_context io;
  ssl::context ctx = client_context();
  ssl::stream<beast::tcp_stream> stream(io, ctx);
  beast::get_lowest_layer(stream).expires_after(std::chrono::seconds(30));
  beast::get_lowest_layer(stream).connect(net::ip::tcp::endpoint(net::ip::make_address(address), port));
  stream.handshake(ssl::stream_base::client);
  http::request<http::empty_body> req(http::verb::get, target, 11);
  req.set(http::field::host, "localhost");
  req.keep_alive(false);
  http::write(stream, req);
  beast::flat_buffer buffer;
  http::response<http::string_body> res;
  http::read(stream, buffer, res);
  std::ostringstream out;
  out << res;
  return out.str();
}

}  // namespace mw::test
