// SCRAM-PLUS (RFC 5802 channel binding, RFC 5929 tls-server-end-point) on the real daemon: an
// API-key exchange over wss:// bound to the certificate the daemon serves logs in; bound to
// anything else, or asked for over plain TCP or with another binding type, it does not.
#include <gtest/gtest.h>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <cstdio>

#include "auth/crypto.hpp"
#include "auth/scram.hpp"
#include "integration/auth/auth_fixture.hpp"
#include "support/tls_daemon.hpp"

namespace mw::test {
namespace {

namespace auth = mw::plugins::auth;

// RFC 5929 4.1 for the test certificate, which is signed with ecdsa-with-SHA256: its SHA-256.
std::string certificate_end_point(const std::filesystem::path& pem) {
  FILE* f = std::fopen(pem.c_str(), "r");
  if (!f) throw std::runtime_error("cannot open " + pem.string());
  X509* cert = PEM_read_X509(f, nullptr, nullptr, nullptr);
  std::fclose(f);
  if (!cert) throw std::runtime_error("not a PEM certificate: " + pem.string());
  unsigned char hash[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  X509_digest(cert, EVP_sha256(), hash, &len);
  X509_free(cert);
  return std::string(reinterpret_cast<const char*>(hash), len);
}

class ScramPlusTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { server = new TlsDaemon("[auth]\napi_key_iterations = 4096\n"); }
  static void TearDownTestSuite() {
    delete server;
    server = nullptr;
  }
  static RpcClient tls() { return RpcClient::tls_to("127.0.0.1", server->tls_port()); }
  // A SCRAM exchange for a fresh root key on `c`, bound as `binding` says; the final answer.
  static json::object exchange(RpcClient& c, auth::scram::ChannelBinding binding) {
    auto created = RpcClient::unix_socket(server->daemon().socket_path())
                       .call("api_key.create", {json::object{{"name", unique_name("plus")}, {"username", "root"}}});
    std::string raw(created.at("key").as_string());
    auth::scram::ClientExchange client(auth::HashAlg::Sha512, "root:" + std::to_string(created.at("id").as_int64()),
                                       raw.substr(raw.find('-') + 1), auth::random_url_token(24), std::move(binding));
    auto first = c.call("auth.login_ex", {json::object{{"mechanism", "SCRAM"},
                                                       {"scram_type", "CLIENT_FIRST_MESSAGE"},
                                                       {"rfc_str", client.client_first()}}});
    auto last = object_of(
        c.call("auth.login_ex", {json::object{{"mechanism", "SCRAM"},
                                              {"scram_type", "CLIENT_FINAL_MESSAGE"},
                                              {"rfc_str", client.client_final(first.at("rfc_str").as_string())}}}));
    if (last.at("response_type") == "SCRAM_RESPONSE" && !client.verify_server_final(last.at("rfc_str").as_string()))
      throw std::runtime_error("the server's signature does not verify");
    return last;
  }
  static std::string refusal(RpcClient& c, const std::string& type) {
    try {
      exchange(c, {type, "whatever"});
    } catch (const RpcError& e) {
      return e.reason();
    }
    return "(no error)";
  }

  static inline TlsDaemon* server = nullptr;
};

TEST_F(ScramPlusTest, BoundToTheServedCertificateLogsIn) {
  auto c = tls();
  auto last = exchange(c, {"tls-server-end-point", certificate_end_point(server->certificate().certificate)});
  EXPECT_EQ(last.at("scram_type"), "SERVER_FINAL_RESPONSE");
  EXPECT_EQ(c.call("auth.me").at("pw_name"), "root");
}

TEST_F(ScramPlusTest, BoundToAnotherCertificateFails) {
  auto c = tls();
  EXPECT_EQ(exchange(c, {"tls-server-end-point", std::string(32, 'x')}), (json::object{{"response_type", "AUTH_ERR"}}));
}

TEST_F(ScramPlusTest, BindingOverPlainTcpOrOfAnotherTypeIsRefused) {
  auto plain = RpcClient::tcp(server->daemon().tcp_port());
  EXPECT_EQ(refusal(plain, "tls-server-end-point"),
            "[EINVAL] login_data.rfc_str: channel binding needs a TLS connection (wss://)\n");
  auto c = tls();
  EXPECT_EQ(
      refusal(c, "tls-unique"),
      "[EINVAL] login_data.rfc_str: tls-unique: channel binding type is not supported (tls-server-end-point is)\n");
}

}  // namespace
}  // namespace mw::test
