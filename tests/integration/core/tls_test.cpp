// The optional TLS listener against the real daemon: wss:// and https:// serve the
// same routes, protocols and checks as plain TCP; plain-text secrets are accepted over TLS from
// any address; a plain client gets nowhere on the TLS port; bad certificate files stop the start.
#include <gtest/gtest.h>

#include <unistd.h>

#include <fstream>

#include "integration/core/legacy_client.hpp"
#include "integration/core/remote_peer.hpp"
#include "support/daemon_process.hpp"
#include "support/http_get.hpp"
#include "support/run_command.hpp"
#include "support/tls_client.hpp"

namespace mw::test {
namespace {

namespace json = boost::json;
using namespace std::chrono_literals;

class TempDir {
 public:
  TempDir() {
    char tmpl[] = "/tmp/mw-tls-test-XXXXXX";
    if (!mkdtemp(tmpl)) throw std::runtime_error("mkdtemp failed");
    path_ = tmpl;
  }
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

std::string tls_config(const CertificateFiles& cert, const std::string& tls_listen, const std::string& more = "") {
  return "[server]\ntls_listen = " + tls_listen + "\ntls_certificate = " + cert.certificate.string() +
         "\ntls_private_key = " + cert.private_key.string() + "\n[auth]\napi_key_iterations = 4096\n" + more;
}

// The port the daemon wrote for its TLS listener (port 0 in the config: any free port).
uint16_t tls_port(const DaemonProcess& d) {
  try {
    return tls_listener_port(d.state_dir());
  } catch (const std::exception& e) {
    throw std::runtime_error(std::string(e.what()) + ":\n" + d.log());
  }
}

TEST(Tls, ServesJsonRpcLegacyAndHttpWithTheSameChecks) {
  TempDir dir;
  auto cert = make_self_signed_certificate(dir.path());
  DaemonOptions o;
  o.config_text = tls_config(cert, "127.0.0.1:0");
  DaemonProcess d(o);
  uint16_t port = tls_port(d);
  ASSERT_NE(port, d.tcp_port());

  auto client = RpcClient::tls_to("127.0.0.1", port);
  EXPECT_EQ(client.call("core.ping"), "pong");
  // Not logged in: a TLS peer is a TCP peer, never the unix socket's automatic root.
  try {
    client.call("auth.me");
    FAIL() << "auth.me answered without a login";
  } catch (const RpcError& e) {
    EXPECT_EQ(e.reason(), "[ENOTAUTHENTICATED] Not authenticated");
  }

  LegacyClient legacy(RpcClient::tls_to("127.0.0.1", port, "/websocket"));
  legacy.connect();
  EXPECT_EQ(legacy.call("p1", "core.ping").at("result"), "pong");

  std::string versions = run_https_get("127.0.0.1", port, "/api/versions");
  EXPECT_EQ(versions.rfind("HTTP/1.1 200", 0), 0u) << versions;
  EXPECT_NE(versions.find("v27.0.0"), std::string::npos) << versions;

  // Oversize anonymous frames are closed exactly as on plain TCP.
  auto big = RpcClient::tls_to("127.0.0.1", port);
  big.send_text(std::string(9000, ' '));
  try {
    big.receive_text(10s);
    FAIL() << "an oversize anonymous frame got an answer";
  } catch (const ConnectionClosed& e) {
    EXPECT_EQ(e.code, 1007);
    EXPECT_EQ(e.reason, "Anonymous connection max message length is 8 kB");
  }
  EXPECT_EQ(client.call("core.ping"), "pong");
}

TEST(Tls, PlainClientsGetNothingFromTheTlsPort) {
  TempDir dir;
  auto cert = make_self_signed_certificate(dir.path());
  DaemonOptions o;
  o.config_text = tls_config(cert, "127.0.0.1:0");
  DaemonProcess d(o);
  uint16_t port = tls_port(d);
  EXPECT_ANY_THROW(RpcClient::tcp(port));
  std::string answer;
  try {
    answer = run_http_get(port, "/api/versions");
  } catch (const std::exception&) {
  }
  EXPECT_EQ(answer.find("v27.0.0"), std::string::npos) << answer;
  // And the failed handshakes harmed nothing.
  EXPECT_EQ(RpcClient::tls_to("127.0.0.1", port).call("core.ping"), "pong");
}

TEST(Tls, PlainTextSecretsAreAcceptedOverTlsFromAnyAddress) {
  std::string address = non_loopback_ipv4();
  if (address.empty()) GTEST_SKIP() << "no non-loopback IPv4 address on this machine";
  TempDir dir;
  auto cert = make_self_signed_certificate(dir.path());
  DaemonOptions o;
  o.config_text = tls_config(cert, "0.0.0.0:0");
  o.listen = "0.0.0.0:0";
  DaemonProcess d(o);
  std::string key = create_root_key(d, "tls-test");

  // Plain TCP from that address: refused before the key is even looked at.
  auto plain = RpcClient::tcp_to(address, d.tcp_port());
  json::object key_login{{"mechanism", "API_KEY_PLAIN"}, {"username", "root"}, {"api_key", key}};
  EXPECT_EQ(plain.call("auth.login_ex", {key_login}).at("response_type"), "AUTH_ERR");
  EXPECT_NE(d.log().find("API_KEY_PLAIN login for 'root' from " + address), std::string::npos);

  auto secure = RpcClient::tls_to(address, tls_port(d));
  EXPECT_EQ(secure.call("auth.login_ex", {key_login}).at("response_type"), "SUCCESS");
  EXPECT_EQ(secure.call("auth.me").at("pw_name"), "root");
  // The key was not revoked by its use over TLS.
  auto again = RpcClient::tls_to(address, tls_port(d));
  EXPECT_EQ(again.call("auth.login_with_api_key", {key}), true);

  // A password goes through to PAM (and fails there) instead of being refused for the transport.
  json::object password_login{{"mechanism", "PASSWORD_PLAIN"}, {"username", "mw-tls-nobody"}, {"password", "x"}};
  EXPECT_EQ(again.call("auth.login_ex", {password_login}).at("response_type"), "AUTH_ERR");
  EXPECT_EQ(d.log().find("PASSWORD_PLAIN login for 'mw-tls-nobody' from " + address), std::string::npos) << d.log();
  EXPECT_EQ(plain.call("auth.login_ex", {password_login}).at("response_type"), "AUTH_ERR");
  EXPECT_NE(d.log().find("PASSWORD_PLAIN login for 'mw-tls-nobody' from " + address), std::string::npos);
}

// Runs the daemon with a TLS configuration and returns its exit code and output.
CommandResult start_with(const TempDir& dir, const std::string& config) {
  auto conf = dir.path() / "middlewared.conf";
  std::ofstream(conf) << config;
  return run_command({daemon_path().string(), "--state-dir", (dir.path() / "state").string(), "--listen", "127.0.0.1:0",
                      "--config", conf.string()},
                     "", {}, std::chrono::seconds(60));
}

TEST(Tls, RefusesToStartWithoutAUsableCertificateAndKey) {
  TempDir dir;
  auto cert = make_self_signed_certificate(dir.path() / "good");

  CertificateFiles missing{dir.path() / "nope" / "cert.pem", cert.private_key};
  auto r = start_with(dir, tls_config(missing, "127.0.0.1:0"));
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE((r.out + r.err)
                .find("cannot read tls_certificate " + missing.certificate.string() + ": No such file or directory"),
            std::string::npos)
      << r.out << r.err;

  auto garbage = dir.path() / "garbage.pem";
  std::ofstream(garbage) << "not a certificate\n";
  r = start_with(dir, tls_config({garbage, cert.private_key}, "127.0.0.1:0"));
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE((r.out + r.err).find("tls_certificate " + garbage.string() + " is not a PEM certificate"),
            std::string::npos)
      << r.out << r.err;

  auto other = make_self_signed_certificate(dir.path() / "other");
  r = start_with(dir, tls_config({cert.certificate, other.private_key}, "127.0.0.1:0"));
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE((r.out + r.err).find("does not match tls_certificate"), std::string::npos) << r.out << r.err;

  r = start_with(dir, "[server]\ntls_listen = 127.0.0.1:0\n");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE((r.out + r.err).find("[server] tls_listen is set but tls_certificate is not"), std::string::npos)
      << r.out << r.err;
}

}  // namespace
}  // namespace mw::test
