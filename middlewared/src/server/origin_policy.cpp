#include "server/origin_policy.hpp"

#include <algorithm>
#include <cctype>
#include <stdexcept>

#include <middlewared/config.hpp>
#include <mw/util/text.hpp>

namespace mw::server {
namespace {

std::string_view default_port(std::string_view scheme) {
  if (scheme == "http" || scheme == "ws") return "80";
  if (scheme == "https" || scheme == "wss") return "443";
  return {};
}

bool all_of(std::string_view s, bool (*ok)(unsigned char)) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [&](char c) { return ok(static_cast<unsigned char>(c)); });
}

// "host[:port]" or "[v6]:port" -> "host:port" with `fallback_port` when none is given; nullopt when
// malformed.
std::optional<std::string> authority(std::string_view text, std::string_view fallback_port) {
  std::string_view host = text, port;
  if (text.starts_with('[')) {
    auto close = text.find(']');
    if (close == std::string_view::npos) return std::nullopt;
    host = text.substr(0, close + 1);
    std::string_view rest = text.substr(close + 1);
    if (!rest.empty()) {
      if (rest.front() != ':') return std::nullopt;
      port = rest.substr(1);
    }
  } else if (auto colon = text.rfind(':'); colon != std::string_view::npos) {
    host = text.substr(0, colon);
    port = text.substr(colon + 1);
  }
  auto host_char = [](unsigned char c) {
    return std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '[' || c == ']' || c == ':';
  };
  if (!all_of(host, host_char)) return std::nullopt;
  if (port.empty()) port = fallback_port;
  if (!all_of(port, [](unsigned char c) { return std::isdigit(c) != 0; }) || port.size() > 5) return std::nullopt;
  return util::ascii_lower(host) + ":" + std::string(port);
}

}  // namespace

std::optional<std::string> OriginPolicy::normalize(std::string_view origin) {
  auto sep = origin.find("://");
  if (sep == std::string_view::npos) return std::nullopt;
  std::string scheme = util::ascii_lower(origin.substr(0, sep));
  bool scheme_ok = all_of(scheme, [](unsigned char c) { return std::isalnum(c) || c == '+' || c == '-' || c == '.'; });
  if (!scheme_ok || !std::isalpha(static_cast<unsigned char>(scheme.front()))) return std::nullopt;
  auto host_port = authority(origin.substr(sep + 3), default_port(scheme));
  if (!host_port) return std::nullopt;
  return scheme + "://" + *host_port;
}

OriginPolicy::OriginPolicy(const std::vector<std::string>& allowed) {
  for (const auto& origin : allowed) {
    auto normal = normalize(origin);
    if (!normal) throw std::invalid_argument(origin);
    allowed_.push_back(std::move(*normal));
  }
}

std::vector<std::string> OriginPolicy::read_allowed(const Config& config) {
  auto allowed = config.get_list("server", "allowed_origins");
  for (const auto& origin : allowed)
    if (!normalize(origin))
      throw std::runtime_error("[server] allowed_origins: '" + origin +
                               "' is not an origin such as https://nas.example:443");
  return allowed;
}

bool OriginPolicy::allows(std::optional<std::string_view> origin, std::string_view host) const {
  if (!origin) return true;  // not a browser
  auto normal = normalize(*origin);
  if (!normal) return false;
  if (std::find(allowed_.begin(), allowed_.end(), *normal) != allowed_.end()) return true;
  // The daemon's own origin, whatever the scheme: TLS may end in a proxy before us.
  auto sep = normal->find("://");
  auto own = authority(host, default_port(std::string_view(*normal).substr(0, sep)));
  return own && *own == normal->substr(sep + 3);
}

}  // namespace mw::server
