// Tokens used outside the API: ShellTokenChecker lets the serial console (/_shell) check a token
// from auth.generate_token without logging a connection in (auth.get_token_for_shell_application
// is the same check as a private method), and the HTTP authenticator lets POST /_upload do the same
// with `Authorization: Token <token>` or `?auth_token=<token>`, as TrueNAS's file application.
#include <middlewared/errors.hpp>

#include "auth/method_tables.hpp"

namespace mw::plugins::auth {

namespace {

// {"transport": "TCP"|"UNIX", "address": ..., "uid": ...} -> the peer, as far as tokens are bound to it.
PeerInfo peer_from(const json::object& o) {
  PeerInfo peer;
  const auto transport = o.at("transport").as_string();
  peer.transport = transport == "TCP"    ? PeerInfo::Transport::Tcp
                   : transport == "UNIX" ? PeerInfo::Transport::Unix
                                         : PeerInfo::Transport::Internal;
  if (const json::value* a = o.if_contains("address"); a && a->is_string())
    peer.remote_address = std::string(a->get_string());
  if (const json::value* u = o.if_contains("uid"); u && (u->is_int64() || u->is_uint64()))
    peer.uid = u->to_number<uint32_t>();
  return peer;
}

class ShellTokens final : public ShellTokenChecker {
 public:
  explicit ShellTokens(AuthState& state) : state_(state) {}
  std::shared_ptr<const Credentials> check_shell_token(const std::string& token, const PeerInfo& peer) override {
    auto grant = state_.tokens.use_for_application(token, origin_key(peer), Clock::now(), state_.token_checks());
    return grant ? grant->parent : nullptr;
  }

 private:
  AuthState& state_;
};

// The token of a plain HTTP request, from its Authorization header or its query.
std::string request_token(const HttpRequest& r) {
  if (auto h = r.headers.find("authorization"); h != r.headers.end())
    return h->second.rfind("Token ", 0) == 0 ? h->second.substr(6) : std::string();
  std::string_view query = r.query;
  while (!query.empty()) {
    auto item = query.substr(0, query.find('&'));
    if (item.rfind("auth_token=", 0) == 0) return std::string(item.substr(11));  // tokens are url-safe
    query.remove_prefix(std::min(query.size(), item.size() + 1));
  }
  return {};
}

}  // namespace

void install_http_authenticator(PluginContext& ctx, AuthState& state) {
  ctx.set_http_authenticator([&state](const HttpRequest& r) -> std::shared_ptr<const Credentials> {
    const std::string token = request_token(r);
    if (token.empty()) return nullptr;
    auto grant = state.tokens.use_for_application(token, origin_key(r.peer), Clock::now(), state.token_checks());
    return grant ? grant->parent : nullptr;
  });
}

std::unique_ptr<ShellTokenChecker> make_shell_token_checker(AuthState& state) {
  return std::make_unique<ShellTokens>(state);
}

void register_shell_token_method(PluginContext& ctx, ShellTokenChecker& checker) {
  ctx.add_method(
      {.name = "auth.get_token_for_shell_application",
       .description = "Checks a token for the web shell: who it stands for, or null when it is "
                      "unknown, expired, bound to another origin or a download token.",
       .roles = {kFullAdmin},
       .private_method = true,
       .handler = [&checker](CallContext&, json::array& p) -> json::value {
         auto who = checker.check_shell_token(std::string(p.at(0).as_string()), peer_from(p.at(1).as_object()));
         if (!who) return nullptr;
         json::array roles;
         for (const auto& r : who->roles) roles.emplace_back(r);
         return json::object{{"username", who->username}, {"credentials", who->type}, {"roles", std::move(roles)}};
       }});
}

}  // namespace mw::plugins::auth
