#pragma once
// System accounts (the passwd and group databases through NSS), as logins and auth.me need them.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace mw::plugins::auth {

struct Account {
  std::string username;
  uint32_t uid = 0;
  uint32_t gid = 0;
  std::string gecos;
  std::string home;
  std::string shell;
  std::vector<uint32_t> group_ids;       // every group, the primary one included
  std::vector<std::string> group_names;  // names of group_ids that have one
};

// Thread-safe (reentrant NSS calls). nullopt when there is no such account.
std::optional<Account> find_account(const std::string& username);
std::optional<Account> find_account(uint32_t uid);

}  // namespace mw::plugins::auth
