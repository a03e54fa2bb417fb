#include <algorithm>

#include <middlewared/config.hpp>

#include "server/origin_policy.hpp"
#include "server/server.hpp"

namespace mw::server {

void ServerOptions::read_limits(const Config& config) {
  auto count = [&](const char* key, std::size_t fallback) {
    return static_cast<std::size_t>(std::max(0LL, config.get_int("limits", key, static_cast<long long>(fallback))));
  };
  max_connections_per_ip = count("connections_per_ip", max_connections_per_ip);
  exempt_loopback = config.get_bool("limits", "exempt_loopback", exempt_loopback);
  max_subscriptions = count("subscriptions_per_session", max_subscriptions);
  auto idle_default = std::chrono::duration_cast<std::chrono::seconds>(idle_unauthenticated_timeout).count();
  idle_unauthenticated_timeout =
      std::chrono::seconds(std::max(0LL, config.get_int("limits", "idle_unauthenticated_timeout", idle_default)));
}

void ServerOptions::read_tls(const Config& config) {
  if (auto listen = config.get_or("server", "tls_listen", ""); !listen.empty()) tls_listen = listen;
  tls_certificate = config.get_or("server", "tls_certificate", "");
  tls_private_key = config.get_or("server", "tls_private_key", "");
}

void ServerOptions::read_origins(const Config& config) { allowed_origins = OriginPolicy::read_allowed(config); }

}  // namespace mw::server
