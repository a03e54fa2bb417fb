#pragma once
// Who is calling. Built by the core at login (or at connect for unix-socket root) and shared
// read-only with every call of that session.
#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace mw {

inline constexpr const char* kFullAdmin = "FULL_ADMIN";
inline constexpr const char* kReadonlyAdmin = "READONLY_ADMIN";

struct Credentials {
  std::string type;  // "UNIX_SOCKET", "LOGIN_PASSWORD", "API_KEY", "TOKEN", ...
  std::string username;
  std::optional<uint32_t> uid;
  std::set<std::string, std::less<>> roles;  // already expanded: a role's included roles are here too
  std::string login_id;                      // uuid of the login, for job credentials and sessions
  int64_t login_at_ms = 0;

  bool full_admin() const { return roles.contains(kFullAdmin); }
  bool has_role(std::string_view role) const { return full_admin() || roles.contains(role); }
  // True when any of `allowed` is held (an empty list means: any authenticated caller).
  bool has_any_role(const std::vector<std::string>& allowed) const {
    if (allowed.empty() || full_admin()) return true;
    for (const auto& r : allowed)
      if (roles.contains(r)) return true;
    return false;
  }
};

}  // namespace mw
