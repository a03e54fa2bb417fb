// The only server-side translation unit that speaks OpenSSL (through boost::asio::ssl).
#include "server/tls_listener.hpp"

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <fstream>

#include <spdlog/spdlog.h>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/local/connect_pair.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/write.hpp>

#include "server/accept_backoff.hpp"
#include "server/drop_socket.hpp"
#include "server/server.hpp"
#include "server/tcp_peer.hpp"

namespace mw::server {

namespace net = boost::asio;
namespace ssl = net::ssl;
using tcp = net::ip::tcp;
using local = net::local::stream_protocol;

namespace {

// Fails with the file's name and the system's reason, before OpenSSL's less readable one.
void require_readable(const std::filesystem::path& path, const char* what) {
  if (path.empty()) throw std::runtime_error(std::string("[server] tls_listen is set but ") + what + " is not");
  std::ifstream in(path);
  if (!in)
    throw std::runtime_error(std::string("cannot read ") + what + " " + path.string() + ": " + std::strerror(errno));
}

std::unique_ptr<ssl::context> make_context(const TlsListenerOptions& o) {
  require_readable(o.certificate, "tls_certificate");
  require_readable(o.private_key, "tls_private_key");
  auto ctx = std::make_unique<ssl::context>(ssl::context::tls_server);
  // TLS 1.2 and newer only; the rest is OpenSSL's default (system-wide policy) cipher choice.
  ctx->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 | ssl::context::no_sslv3 |
                   ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1 | ssl::context::single_dh_use);
  boost::system::error_code ec;
  ctx->use_certificate_chain_file(o.certificate.string(), ec);
  if (ec)
    throw std::runtime_error("tls_certificate " + o.certificate.string() +
                             " is not a PEM certificate: " + ec.message());
  auto mismatch = [&] {
    return std::runtime_error("tls_private_key " + o.private_key.string() + " does not match tls_certificate " +
                              o.certificate.string());
  };
  ctx->use_private_key_file(o.private_key.string(), ssl::context::pem, ec);
  // OpenSSL compares the key with the certificate already loaded while it reads the key.
  if (ec && ec.category() == net::error::get_ssl_category() && ERR_GET_REASON(ec.value()) == X509_R_KEY_VALUES_MISMATCH)
    throw mismatch();
  if (ec)
    throw std::runtime_error("tls_private_key " + o.private_key.string() +
                             " is not a PEM private key: " + ec.message());
  if (SSL_CTX_check_private_key(ctx->native_handle()) != 1) throw mismatch();
  return ctx;
}

// RFC 5929 section 4.1: the certificate hashed with the hash of its signature algorithm, MD5 and
// SHA-1 replaced by SHA-256. Empty when the algorithm names no single hash (Ed25519).
std::string tls_server_end_point(ssl::context& ctx) {
  X509* cert = SSL_CTX_get0_certificate(ctx.native_handle());
  int md_nid = NID_undef;
  if (!cert || X509_get_signature_info(cert, &md_nid, nullptr, nullptr, nullptr) != 1) return {};
  const EVP_MD* md = md_nid == NID_md5 || md_nid == NID_sha1 ? EVP_sha256() : EVP_get_digestbynid(md_nid);
  std::array<unsigned char, EVP_MAX_MD_SIZE> hash{};
  unsigned int len = 0;
  if (!md || X509_digest(cert, md, hash.data(), &len) != 1) return {};
  return std::string(reinterpret_cast<const char*>(hash.data()), len);
}

// One TLS connection: the handshake, then bytes copied both ways between the TLS stream and the
// clear-text end of a socketpair (the session holds the other end). Whichever side ends first
// closes both, so the session sees EOF when the client goes and the client sees the TCP close
// when the session closes.
class Relay : public std::enable_shared_from_this<Relay> {
 public:
  Relay(tcp::socket socket, ssl::context& ctx)
      : tls_(std::move(socket), ctx), clear_(tls_.get_executor()), timer_(tls_.get_executor()) {}

  void start(TlsListener::Adopt adopt, PeerInfo peer, std::shared_ptr<PeerCounter::Slot> slot, bool over_cap,
             std::chrono::milliseconds timeout, std::shared_ptr<spdlog::logger> log) {
    timer_.expires_after(timeout);
    timer_.async_wait([self = shared_from_this()](boost::system::error_code ec) {
      if (!ec) self->close_all();  // no handshake in time
    });
    tls_.async_handshake(ssl::stream_base::server, [self = shared_from_this(), adopt = std::move(adopt),
                                                    peer = std::move(peer), slot = std::move(slot), over_cap,
                                                    log = std::move(log)](boost::system::error_code ec) mutable {
      self->timer_.cancel();
      if (ec) {
        log->debug("TLS handshake with {}:{} failed: {}", peer.remote_address, peer.remote_port, ec.message());
        return self->close_all();
      }
      local::socket session_end(self->tls_.get_executor());
      net::local::connect_pair(self->clear_, session_end, ec);
      if (ec) {
        log->warn("TLS connection from {} dropped: socketpair failed: {}", peer.remote_address, ec.message());
        return self->close_all();
      }
      adopt(std::move(session_end), std::move(peer), std::move(slot), over_cap);
      self->client_to_session();
      self->session_to_client();
    });
  }

 private:
  void client_to_session() {
    tls_.async_read_some(net::buffer(in_), [self = shared_from_this()](boost::system::error_code ec, std::size_t n) {
      if (ec) return self->close_all();
      net::async_write(self->clear_, net::buffer(self->in_.data(), n),
                       [self](boost::system::error_code ec, std::size_t) {
                         if (ec) return self->close_all();
                         self->client_to_session();
                       });
    });
  }

  void session_to_client() {
    clear_.async_read_some(net::buffer(out_), [self = shared_from_this()](boost::system::error_code ec, std::size_t n) {
      if (ec) return self->close_all();  // the session is finished and everything it wrote is out
      net::async_write(self->tls_, net::buffer(self->out_.data(), n),
                       [self](boost::system::error_code ec, std::size_t) {
                         if (ec) return self->close_all();
                         self->session_to_client();
                       });
    });
  }

  void close_all() {
    timer_.cancel();
    drop_socket(tls_.lowest_layer());
    drop_socket(clear_);
  }

  ssl::stream<tcp::socket> tls_;
  local::socket clear_;
  net::steady_timer timer_;
  std::array<char, 16384> in_{};
  std::array<char, 16384> out_{};
};

}  // namespace

struct TlsListener::Impl : std::enable_shared_from_this<TlsListener::Impl> {
  Impl(net::io_context& io, TlsListenerOptions o, Adopt a, std::shared_ptr<spdlog::logger> l)
      : io(io),
        options(std::move(o)),
        adopt(std::move(a)),
        log(std::move(l)),
        ctx(make_context(options)),
        end_point(tls_server_end_point(*ctx)),
        acceptor(io),
        backoff(io.get_executor(), log, "tls " + options.listen) {}

  void accept() {
    if (!acceptor.is_open()) return;
    acceptor.async_accept(net::make_strand(io),
                          [self = shared_from_this()](boost::system::error_code ec, tcp::socket s) {
                            if (ec == net::error::operation_aborted) return;
                            if (ec) return self->backoff.failed(ec, [self] { self->accept(); });
                            self->backoff.succeeded();
                            self->start_connection(std::move(s));
                            self->accept();
                          });
  }

  // Counted per address from the first byte, like the plain listener, so that a flood of
  // handshakes from one address hits the same cap.
  void start_connection(tcp::socket s) {
    PeerInfo peer = tcp_peer(s, true);
    if (peer.remote_address.empty()) return;  // already gone
    peer.tls_server_end_point = end_point;
    std::shared_ptr<PeerCounter::Slot> slot;
    bool over_cap = false;
    if (!(options.exempt_loopback && is_loopback_address(peer.remote_address))) {
      slot = options.peers->acquire(peer.remote_address);
      over_cap = !slot;
      if (over_cap) log->debug("TLS connection from {} over the per-address cap", peer.remote_address);
    }
    auto relay = std::make_shared<Relay>(std::move(s), *ctx);
    relay->start(adopt, std::move(peer), std::move(slot), over_cap, options.handshake_timeout, log);
  }

  net::io_context& io;
  TlsListenerOptions options;
  Adopt adopt;
  std::shared_ptr<spdlog::logger> log;
  std::unique_ptr<ssl::context> ctx;
  std::string end_point;  // tls_server_end_point() of ctx's certificate
  tcp::acceptor acceptor;
  AcceptBackoff backoff;
};

TlsListener::TlsListener(net::io_context& io, TlsListenerOptions options, Adopt adopt,
                         std::shared_ptr<spdlog::logger> log)
    : impl_(std::make_shared<Impl>(io, std::move(options), std::move(adopt), std::move(log))) {}

TlsListener::~TlsListener() { stop(); }

std::string TlsListener::start() {
  auto [host, port] = split_host_port(impl_->options.listen);
  tcp::endpoint ep(net::ip::make_address(host), port);
  auto& a = impl_->acceptor;
  a.open(ep.protocol());
  a.set_option(net::socket_base::reuse_address(true));
  a.bind(ep);
  a.listen(net::socket_base::max_listen_connections);
  impl_->accept();
  auto bound = a.local_endpoint();
  return bound.address().to_string() + ":" + std::to_string(bound.port());
}

void TlsListener::stop() {
  boost::system::error_code ignored;
  impl_->acceptor.close(ignored);
  impl_->backoff.stop();
}

}  // namespace mw::server
