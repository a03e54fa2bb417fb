#pragma once
// Which roles an account holds (config: [auth] admin_group, [roles] <unix group> = ROLE, ROLE).
// root and members of the admin group (default `sudo`) are FULL_ADMIN; everyone else gets the
// union of the roles mapped to their groups; an account without any gets none (login: DENIED).
#include <string>
#include <vector>

#include <middlewared/config.hpp>

#include "auth/account.hpp"

namespace mw::plugins::auth {

class RolePolicy {
 public:
  explicit RolePolicy(const Config& config);
  // Unexpanded role names, sorted and unique; empty means no API access.
  std::vector<std::string> roles_for(const Account& account) const;
  const std::string& admin_group() const { return admin_group_; }

 private:
  const Config& config_;
  std::string admin_group_;
};

}  // namespace mw::plugins::auth
