#pragma once
// TLS helpers for tests of the daemon's TLS listener (library mw_test_tls): a throw-away
// self-signed certificate and one HTTPS GET. RpcClient::tls_to (rpc_client.hpp) speaks wss://.
#include <cstdint>
#include <filesystem>
#include <string>

namespace mw::test {

struct CertificateFiles {
  std::filesystem::path certificate;  // PEM, CN=localhost, valid one day
  std::filesystem::path private_key;  // PEM, unencrypted EC P-256
};

// Writes cert.pem and key.pem into `dir` with the openssl command; throws when it fails.
CertificateFiles make_self_signed_certificate(const std::filesystem::path& dir);

// The port of the daemon's TLS listener, from the file it writes under its state dir (a port 0
// in the configuration means any free port); throws when the daemon wrote none.
uint16_t tls_listener_port(const std::filesystem::path& state_dir);

// One HTTP/1.1 GET over TLS (certificate not verified); the raw response (status line, headers,
// body). Throws when the TLS handshake or the request fails.
std::string run_https_get(const std::string& address, uint16_t port, const std::string& target);

}  // namespace mw::test
