#pragma once
// Which web pages may open a WebSocket to the daemon. A browser lets any page it shows try
// ws://127.0.0.1:6000 and says which site the page came from in the Origin header; other clients
// (midclt, TrueNAS's python client) send none. So an upgrade passes when it has no Origin, when
// its Origin is the daemon's own (the host and port of the Host header: the dashboard, served by
// the daemon, or a reverse proxy in front of it), or when [server] allowed_origins lists it.
// No Beast here: the server asks with plain strings.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mw {
class Config;
}

namespace mw::server {

class OriginPolicy {
 public:
  // `allowed`: origins such as "https://nas.example:443" (the port may be left out when it is the
  // scheme's default). Throws std::invalid_argument naming the first malformed one.
  explicit OriginPolicy(const std::vector<std::string>& allowed = {});

  // `origin`: the Origin header, nullopt when absent; `host`: the Host header.
  bool allows(std::optional<std::string_view> origin, std::string_view host) const;

  // "SCHEME://HOST[:PORT]" as "scheme://host:port" (lower case, the scheme's default port filled
  // in for http, https, ws and wss); nullopt when it is not such an origin ("null", a path...).
  static std::optional<std::string> normalize(std::string_view origin);

  // [server] allowed_origins (comma-separated); throws std::runtime_error naming a malformed one.
  static std::vector<std::string> read_allowed(const Config& config);

 private:
  std::vector<std::string> allowed_;  // normalized
};

}  // namespace mw::server
