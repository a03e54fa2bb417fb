#include "auth/user_info.hpp"

namespace mw::plugins::auth {

json::object user_info(const Credentials& credentials, const Account& account, json::object attributes) {
  json::object out;
  out["pw_name"] = account.username;
  out["pw_gecos"] = account.gecos;
  out["pw_dir"] = account.home;
  out["pw_shell"] = account.shell;
  out["pw_uid"] = account.uid;
  out["pw_gid"] = account.gid;
  json::array groups;
  for (auto g : account.group_ids) groups.push_back(g);
  out["grouplist"] = std::move(groups);
  out["sid"] = nullptr;
  out["source"] = "LOCAL";
  out["local"] = true;
  out["attributes"] = std::move(attributes);
  // No second factor is offered; the shape is what clients expect.
  out["two_factor_config"] =
      json::object{{"provisioning_uri", nullptr}, {"secret_configured", false}, {"interval", 30}, {"otp_digits", 6}};

  json::array roles;
  for (const auto& r : credentials.roles) roles.push_back(json::string(r));
  json::array allowlist;
  if (credentials.full_admin()) allowlist.push_back(json::object{{"method", "*"}, {"resource", "*"}});
  out["privilege"] = json::object{{"roles", json::object{{"$set", std::move(roles)}}},
                                  {"allowlist", std::move(allowlist)},
                                  {"web_shell", credentials.full_admin()},
                                  {"webui_access", !credentials.roles.empty()}};

  json::array account_attributes{"LOCAL"};
  if (credentials.full_admin()) account_attributes.push_back("SYS_ADMIN");
  if (credentials.type == "API_KEY") account_attributes.push_back("API_KEY");
  out["account_attributes"] = std::move(account_attributes);
  return out;
}

}  // namespace mw::plugins::auth
