#include "midclt/uri.hpp"

#include <sys/un.h>

#include <charconv>

namespace midclt {

namespace {

constexpr std::string_view kUnixScheme = "ws+unix://";
constexpr std::string_view kApiPath = "/api/current";
constexpr std::string_view kLegacySuffix = "/websocket";

bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

std::optional<Endpoint> fail(UriError* error, std::string message) {
  if (error) error->message = std::move(message);
  return std::nullopt;
}

std::optional<Endpoint> parse_unix(std::string_view path, UriError* error) {
  Endpoint ep;
  ep.kind = Endpoint::Kind::UnixSocket;
  // The Python client cannot reach the legacy endpoint over a unix socket; we accept a trailing
  // "/websocket" after the socket path for it.
  if (ends_with(path, kLegacySuffix)) {
    path.remove_suffix(kLegacySuffix.size());
    ep.legacy = true;
  }
  if (path.empty()) return fail(error, "Missing unix socket path in URI");
  if (path.size() >= sizeof(sockaddr_un{}.sun_path))
    return fail(error, "Unix socket path is too long: " + std::string(path));
  ep.socket_path = std::string(path);
  ep.target = ep.legacy ? std::string(kLegacySuffix) : std::string(kApiPath);
  ep.host_header = "localhost";
  return ep;
}

}  // namespace

std::optional<Endpoint> parse_uri(std::string_view uri, UriError* error) {
  if (uri.substr(0, kUnixScheme.size()) == kUnixScheme) return parse_unix(uri.substr(kUnixScheme.size()), error);
  std::size_t scheme_end = uri.find("://");
  if (scheme_end == std::string_view::npos) return parse_unix(uri, error);

  std::string_view scheme = uri.substr(0, scheme_end);
  Endpoint ep;
  ep.kind = Endpoint::Kind::Tcp;
  if (scheme == "ws") {
    ep.port = 80;
  } else if (scheme == "wss") {
    ep.tls = true;
    ep.port = 443;
  } else {
    return fail(error, "Unsupported URI scheme '" + std::string(scheme) + "' (use ws://, wss:// or ws+unix://)");
  }
  std::string_view rest = uri.substr(scheme_end + 3);
  std::size_t path_start = rest.find_first_of("/?");
  std::string_view authority = rest.substr(0, path_start);
  std::string_view target = path_start == std::string_view::npos ? std::string_view("/") : rest.substr(path_start);
  if (std::size_t at = authority.rfind('@'); at != std::string_view::npos) authority.remove_prefix(at + 1);
  if (authority.empty()) return fail(error, "Missing host in URI: " + std::string(uri));

  std::string_view host = authority;
  std::string_view port;
  if (authority.front() == '[') {
    std::size_t close = authority.find(']');
    if (close == std::string_view::npos) return fail(error, "Unterminated IPv6 address in URI: " + std::string(uri));
    host = authority.substr(1, close - 1);
    std::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') return fail(error, "Invalid authority in URI: " + std::string(uri));
      port = after.substr(1);
    }
  } else if (std::size_t colon = authority.rfind(':'); colon != std::string_view::npos) {
    host = authority.substr(0, colon);
    port = authority.substr(colon + 1);
  }
  if (host.empty()) return fail(error, "Missing host in URI: " + std::string(uri));
  if (!port.empty()) {
    unsigned value = 0;
    auto res = std::from_chars(port.data(), port.data() + port.size(), value);
    if (res.ec != std::errc() || res.ptr != port.data() + port.size() || value == 0 || value > 65535)
      return fail(error, "Invalid port in URI: " + std::string(uri));
    ep.port = static_cast<std::uint16_t>(value);
  }
  ep.host = std::string(host);
  ep.target = target.front() == '?' ? "/" + std::string(target) : std::string(target);
  std::string_view path_only = std::string_view(ep.target).substr(0, ep.target.find('?'));
  ep.legacy = ends_with(path_only, kLegacySuffix);
  bool default_port = ep.port == (ep.tls ? 443 : 80);
  std::string host_text = host.find(':') != std::string_view::npos ? "[" + ep.host + "]" : ep.host;
  ep.host_header = default_port ? host_text : host_text + ":" + std::to_string(ep.port);
  return ep;
}

std::string default_uri(const std::function<std::optional<std::string>(const char*)>& getenv,
                        const std::function<bool(std::string_view)>& exists) {
  if (auto env = getenv("MIDCLT_URI"); env && !env->empty()) return *env;
  if (exists(kSystemSocket)) return std::string(kUnixScheme) + std::string(kSystemSocket);
  return std::string(kUnixScheme) + std::string(kEmbeddedSocket);
}

}  // namespace midclt
