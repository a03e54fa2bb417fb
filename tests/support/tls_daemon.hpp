#pragma once
// A real daemon with its TLS listener on a throw-away self-signed certificate (in a temporary
// folder that goes with it), for tests of wss:// logins. Library mw_test_tls.
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>

#include "support/daemon_process.hpp"
#include "support/tls_client.hpp"

namespace mw::test {

class TlsDaemon {
 public:
  // `more_config` follows the [server] TLS lines (start it with a section header).
  explicit TlsDaemon(const std::string& more_config = "");
  ~TlsDaemon();
  TlsDaemon(const TlsDaemon&) = delete;
  TlsDaemon& operator=(const TlsDaemon&) = delete;

  DaemonProcess& daemon() { return *daemon_; }
  const CertificateFiles& certificate() const { return certificate_; }
  // The port the TLS listener got (the daemon writes it to <state>/run/middlewared.tls).
  uint16_t tls_port() const;

 private:
  std::filesystem::path dir_;
  CertificateFiles certificate_;
  std::unique_ptr<DaemonProcess> daemon_;
};

}  // namespace mw::test
