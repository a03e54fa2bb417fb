#include "auth/role_policy.hpp"

#include <algorithm>
#include <set>

#include <middlewared/credentials.hpp>

namespace mw::plugins::auth {

RolePolicy::RolePolicy(const Config& config)
    : config_(config), admin_group_(config.get_or("auth", "admin_group", "sudo")) {}

std::vector<std::string> RolePolicy::roles_for(const Account& account) const {
  const auto& groups = account.group_names;
  if (account.uid == 0 ||
      (!admin_group_.empty() && std::find(groups.begin(), groups.end(), admin_group_) != groups.end()))
    return {kFullAdmin};
  std::set<std::string> roles;
  for (const auto& g : groups)
    for (auto& r : config_.get_list("roles", g)) roles.insert(std::move(r));
  return {roles.begin(), roles.end()};
}

}  // namespace mw::plugins::auth
