#include "support/tls_daemon.hpp"

#include <unistd.h>

#include <fstream>
#include <stdexcept>

namespace mw::test {

TlsDaemon::TlsDaemon(const std::string& more_config) {
  char tmpl[] = "/tmp/mw-tls-daemon-XXXXXX";
  if (!mkdtemp(tmpl)) throw std::runtime_error("mkdtemp failed");
  dir_ = tmpl;
  certificate_ = make_self_signed_certificate(dir_);
  DaemonOptions options;
  options.config_text = "[server]\ntls_listen = 127.0.0.1:0\ntls_certificate = " + certificate_.certificate.string() +
                        "\ntls_private_key = " + certificate_.private_key.string() + "\n" + more_config;
  daemon_ = std::make_unique<DaemonProcess>(options);
}

TlsDaemon::~TlsDaemon() {
  daemon_.reset();
  std::error_code ignored;
  std::filesystem::remove_all(dir_, ignored);
}

uint16_t TlsDaemon::tls_port() const {
  std::ifstream in(daemon_->state_dir() / "run" / "middlewared.tls");
  std::string addr;
  if (!std::getline(in, addr) || addr.empty()) throw std::runtime_error("no TLS port file:\n" + daemon_->log());
  return static_cast<uint16_t>(std::stoi(addr.substr(addr.rfind(':') + 1)));
}

}  // namespace mw::test
