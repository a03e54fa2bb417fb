// midclt over wss:// against the daemon's TLS listener: the server's certificate is verified by
// default (trust store and host name), --insecure skips that, as with TrueNAS's midclt.
#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>
#include <memory>

#include "support/daemon_process.hpp"
#include "support/run_command.hpp"
#include "support/tls_client.hpp"

namespace midclt_it {
namespace {

class MidcltOverTls : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = std::filesystem::temp_directory_path() / ("mw-midclt-tls-" + std::to_string(::getpid()));
    cert_ = mw::test::make_self_signed_certificate(dir_);
    mw::test::DaemonOptions o;
    o.config_text = "[server]\ntls_listen = 127.0.0.1:0\ntls_certificate = " + cert_.certificate.string() +
                    "\ntls_private_key = " + cert_.private_key.string() + "\n";
    daemon_ = std::make_unique<mw::test::DaemonProcess>(o);
    port_ = mw::test::tls_listener_port(daemon_->state_dir());
  }
  static void TearDownTestSuite() {
    daemon_.reset();
    std::filesystem::remove_all(dir_);
  }

  // midclt -u wss://HOST:PORT/api/current ARGS... with OpenSSL's trust store file set to `trusted`.
  static mw::test::CommandResult midclt(const std::string& host, std::vector<std::string> args,
                                        const std::string& trusted) {
    args.insert(args.begin(), {mw::test::midclt_path().string(), "-u",
                               "wss://" + host + ":" + std::to_string(port_) + "/api/current"});
    return mw::test::run_command(args, "", {{"SSL_CERT_FILE", trusted}, {"SSL_CERT_DIR", dir_.string()}});
  }

  static inline std::filesystem::path dir_;
  static inline mw::test::CertificateFiles cert_;
  static inline std::unique_ptr<mw::test::DaemonProcess> daemon_;
  static inline uint16_t port_ = 0;
};

constexpr const char* kRejected =
    "SSL certificate verification failed.\n\nYou can either:\n"
    "  1. Install the server's SSL certificate in your system's trust store\n"
    "  2. Use the --insecure flag to disable SSL verification (not recommended for production)\n";

TEST_F(MidcltOverTls, UntrustedCertificateIsRefusedByDefault) {
  auto r = midclt("localhost", {"call", "core.ping"}, (dir_ / "nothing-trusted.pem").string());
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(r.err.rfind(kRejected, 0), 0u) << r.err;
  EXPECT_NE(r.err.find("self-signed certificate"), std::string::npos) << r.err;
}

TEST_F(MidcltOverTls, InsecureSkipsVerification) {
  auto r = midclt("localhost", {"--insecure", "call", "core.ping"}, (dir_ / "nothing-trusted.pem").string());
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "pong\n");
}

TEST_F(MidcltOverTls, TrustedCertificateNamingTheHostIsAccepted) {
  auto r = midclt("localhost", {"ping"}, cert_.certificate.string());
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "pong\n");
}

TEST_F(MidcltOverTls, TrustedCertificateForAnotherNameIsRefused) {
  // The certificate names localhost, not 127.0.0.1.
  auto r = midclt("127.0.0.1", {"call", "core.ping"}, cert_.certificate.string());
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err.rfind(kRejected, 0), 0u) << r.err;
  EXPECT_NE(r.err.find("mismatch"), std::string::npos) << r.err;
  auto insecure = midclt("127.0.0.1", {"--insecure", "call", "core.ping"}, cert_.certificate.string());
  EXPECT_EQ(insecure.exit_code, 0) << insecure.err;
}

}  // namespace
}  // namespace midclt_it
