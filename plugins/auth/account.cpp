#include "auth/account.hpp"

#include <grp.h>
#include <pwd.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

namespace mw::plugins::auth {
namespace {

std::size_t buffer_hint(int name) {
  long n = sysconf(name);
  return n > 0 ? static_cast<std::size_t>(n) : 16384;
}

std::optional<std::string> group_name(gid_t gid) {
  std::vector<char> buf(buffer_hint(_SC_GETGR_R_SIZE_MAX));
  group gr{};
  group* out = nullptr;
  int rc;
  while ((rc = getgrgid_r(gid, &gr, buf.data(), buf.size(), &out)) == ERANGE) buf.resize(buf.size() * 2);
  if (rc != 0 || out == nullptr) return std::nullopt;
  return std::string(gr.gr_name);
}

Account from_passwd(const passwd& pw) {
  Account a;
  a.username = pw.pw_name;
  a.uid = pw.pw_uid;
  a.gid = pw.pw_gid;
  a.gecos = pw.pw_gecos ? pw.pw_gecos : "";
  a.home = pw.pw_dir ? pw.pw_dir : "";
  a.shell = pw.pw_shell ? pw.pw_shell : "";
  int n = 32;
  std::vector<gid_t> groups(n);
  while (getgrouplist(pw.pw_name, pw.pw_gid, groups.data(), &n) == -1) {
    // n now holds the number of groups needed.
    groups.resize(static_cast<std::size_t>(n) + 1);
    n = static_cast<int>(groups.size());
  }
  groups.resize(static_cast<std::size_t>(n));
  for (gid_t g : groups) {
    if (std::find(a.group_ids.begin(), a.group_ids.end(), g) != a.group_ids.end()) continue;
    a.group_ids.push_back(g);
    if (auto name = group_name(g)) a.group_names.push_back(*name);
  }
  return a;
}

template <class Lookup>
std::optional<Account> lookup(Lookup&& fn) {
  std::vector<char> buf(buffer_hint(_SC_GETPW_R_SIZE_MAX));
  passwd pw{};
  passwd* out = nullptr;
  int rc;
  while ((rc = fn(&pw, buf, &out)) == ERANGE) buf.resize(buf.size() * 2);
  if (rc != 0 || out == nullptr) return std::nullopt;
  return from_passwd(pw);
}

}  // namespace

std::optional<Account> find_account(const std::string& username) {
  if (username.empty()) return std::nullopt;
  return lookup([&](passwd* pw, std::vector<char>& buf, passwd** out) {
    return getpwnam_r(username.c_str(), pw, buf.data(), buf.size(), out);
  });
}

std::optional<Account> find_account(uint32_t uid) {
  return lookup([&](passwd* pw, std::vector<char>& buf, passwd** out) {
    return getpwuid_r(uid, pw, buf.data(), buf.size(), out);
  });
}

}  // namespace mw::plugins::auth
