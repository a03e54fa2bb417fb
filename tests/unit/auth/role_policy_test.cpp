#include <gtest/gtest.h>

#include <map>

#include "auth/role_policy.hpp"
#include "auth/settings.hpp"

namespace mw::plugins::auth {
namespace {

class MapConfig final : public Config {
 public:
  std::optional<std::string> get(std::string_view section, std::string_view key) const override {
    auto it = values.find(std::string(section) + "." + std::string(key));
    if (it == values.end()) return std::nullopt;
    return it->second;
  }
  const std::filesystem::path& state_dir() const override { return dir_; }
  std::map<std::string, std::string> values;

 private:
  std::filesystem::path dir_ = "/tmp";
};

Account account(uint32_t uid, std::vector<std::string> groups) {
  Account a;
  a.username = "u" + std::to_string(uid);
  a.uid = uid;
  a.group_names = std::move(groups);
  return a;
}

TEST(RolePolicy, RootIsFullAdmin) {
  MapConfig cfg;
  EXPECT_EQ(RolePolicy(cfg).roles_for(account(0, {"root"})), std::vector<std::string>{"FULL_ADMIN"});
}

TEST(RolePolicy, MembersOfTheDefaultAdminGroupSudoAreFullAdmin) {
  MapConfig cfg;
  EXPECT_EQ(RolePolicy(cfg).roles_for(account(1000, {"users", "sudo"})), std::vector<std::string>{"FULL_ADMIN"});
}

TEST(RolePolicy, AdminGroupIsConfigurable) {
  MapConfig cfg;
  cfg.values["auth.admin_group"] = "wheel";
  RolePolicy policy(cfg);
  EXPECT_TRUE(policy.roles_for(account(1000, {"sudo"})).empty());
  EXPECT_EQ(policy.roles_for(account(1000, {"wheel"})), std::vector<std::string>{"FULL_ADMIN"});
}

TEST(RolePolicy, GroupRolesAreUnitedAndSorted) {
  MapConfig cfg;
  cfg.values["roles.vmops"] = "VM_WRITE, VM_READ";
  cfg.values["roles.auditors"] = "READONLY_ADMIN,VM_READ";
  auto roles = RolePolicy(cfg).roles_for(account(1000, {"vmops", "auditors", "other"}));
  EXPECT_EQ(roles, (std::vector<std::string>{"READONLY_ADMIN", "VM_READ", "VM_WRITE"}));
}

TEST(RolePolicy, AccountWithoutMappedGroupsHasNoRoles) {
  MapConfig cfg;
  cfg.values["roles.vmops"] = "VM_READ";
  EXPECT_TRUE(RolePolicy(cfg).roles_for(account(1000, {"users"})).empty());
}

TEST(AuthSettings, IterationsAreConfigurableButNotBelowTheRfcMinimum) {
  MapConfig cfg;
  EXPECT_EQ(AuthSettings::from_config(cfg).api_key_iterations, 500000);
  cfg.values["auth.api_key_iterations"] = "5000";
  EXPECT_EQ(AuthSettings::from_config(cfg).api_key_iterations, 5000);
  cfg.values["auth.api_key_iterations"] = "10";
  EXPECT_EQ(AuthSettings::from_config(cfg).api_key_iterations, kMinApiKeyIterations);
}

TEST(AuthSettings, DefaultsRefuseInsecureLoginsAndUseTheLoginPamService) {
  MapConfig cfg;
  auto s = AuthSettings::from_config(cfg);
  EXPECT_FALSE(s.allow_insecure_login);
  EXPECT_EQ(s.pam_service, "login");
  cfg.values["auth.allow_insecure_login"] = "true";
  cfg.values["auth.pam_service"] = "other";
  s = AuthSettings::from_config(cfg);
  EXPECT_TRUE(s.allow_insecure_login);
  EXPECT_EQ(s.pam_service, "other");
}

}  // namespace
}  // namespace mw::plugins::auth
