#include "filesystem/dir_entry.hpp"

#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>

#include <array>
#include <utility>
#include <vector>

namespace mw::plugins::filesystem {
namespace {

namespace fs = std::filesystem;

struct Statx {
  struct statx st {};
  bool ok = false;
};

Statx lstatx(const fs::path& path) {
  Statx s;
  s.ok =
      ::statx(AT_FDCWD, path.c_str(), AT_SYMLINK_NOFOLLOW, STATX_BASIC_STATS | STATX_BTIME | STATX_MNT_ID, &s.st) == 0;
  return s;
}

const char* type_of(unsigned mode) {
  if (S_ISDIR(mode)) return "DIRECTORY";
  if (S_ISREG(mode)) return "FILE";
  if (S_ISLNK(mode)) return "SYMLINK";
  return "OTHER";
}

// statx's attribute bits that TrueNAS names (its FILESYSTEM_STATX_ATTRS).
json::array attributes(const struct statx& st) {
  static const std::array<std::pair<unsigned long long, const char*>, 9> names{{{STATX_ATTR_COMPRESSED, "COMPRESSED"},
                                                                                {STATX_ATTR_APPEND, "APPEND"},
                                                                                {STATX_ATTR_NODUMP, "NODUMP"},
                                                                                {STATX_ATTR_ENCRYPTED, "ENCRYPTED"},
                                                                                {STATX_ATTR_IMMUTABLE, "IMMUTABLE"},
                                                                                {STATX_ATTR_AUTOMOUNT, "AUTOMOUNT"},
                                                                                {STATX_ATTR_MOUNT_ROOT, "MOUNT_ROOT"},
                                                                                {STATX_ATTR_VERITY, "VERIFY"},
                                                                                {STATX_ATTR_DAX, "DAX"}}};
  json::array out;
  for (const auto& [bit, name] : names)
    if ((st.stx_attributes_mask & bit) && (st.stx_attributes & bit)) out.emplace_back(name);
  return out;
}

bool is_mountpoint(const struct statx& st) {
  return (st.stx_attributes_mask & STATX_ATTR_MOUNT_ROOT) && (st.stx_attributes & STATX_ATTR_MOUNT_ROOT);
}

json::array xattr_names(const fs::path& path) {
  json::array out;
  std::string buf(4096, '\0');
  ssize_t n = ::llistxattr(path.c_str(), buf.data(), buf.size());
  for (ssize_t i = 0; n > 0 && i < n;) {
    std::string name(buf.data() + i);
    i += static_cast<ssize_t>(name.size()) + 1;
    if (!name.empty()) out.emplace_back(name);
  }
  return out;
}

// POSIX ACLs show as these extended attributes (TrueNAS's acl_is_present).
bool has_acl(const json::array& xattrs) {
  for (const auto& x : xattrs)
    if (x == "system.posix_acl_access" || x == "system.posix_acl_default" || x == "system.nfs4_acl_xdr") return true;
  return false;
}

std::string realpath_of(const fs::path& path, unsigned mode) {
  std::error_code ec;
  auto real = S_ISLNK(mode) ? fs::weakly_canonical(path, ec) : fs::absolute(path, ec);
  return (ec ? path : real).lexically_normal().string();
}

double seconds(const struct statx_timestamp& t) { return static_cast<double>(t.tv_sec) + t.tv_nsec / 1e9; }

}  // namespace

std::optional<json::object> dir_entry(const fs::path& path) {
  auto s = lstatx(path);
  if (!s.ok) return std::nullopt;
  const auto& st = s.st;
  auto xattrs = xattr_names(path);
  const bool acl = has_acl(xattrs);
  return json::object{{"name", path.filename().string()},
                      {"path", path.string()},
                      {"realpath", realpath_of(path, st.stx_mode)},
                      {"type", type_of(st.stx_mode)},
                      {"size", static_cast<std::int64_t>(st.stx_size)},
                      {"allocation_size", static_cast<std::int64_t>(st.stx_blocks * 512)},
                      {"mode", st.stx_mode},
                      {"mount_id", static_cast<std::int64_t>(st.stx_mnt_id)},
                      {"acl", acl},
                      {"uid", st.stx_uid},
                      {"gid", st.stx_gid},
                      {"is_mountpoint", is_mountpoint(st)},
                      {"is_ctldir", false},
                      {"attributes", attributes(st)},
                      {"xattrs", std::move(xattrs)},
                      {"zfs_attrs", nullptr}};
}

std::optional<json::object> stat_entry(const fs::path& path) {
  auto s = lstatx(path);
  if (!s.ok) return std::nullopt;
  const auto& st = s.st;
  // The reentrant look-ups: methods run on several worker threads at once.
  json::value user = nullptr, group = nullptr;
  std::vector<char> buf(16384);
  passwd pw{};
  passwd* pw_found = nullptr;
  if (::getpwuid_r(st.stx_uid, &pw, buf.data(), buf.size(), &pw_found) == 0 && pw_found) user = pw.pw_name;
  ::group gr{};
  ::group* gr_found = nullptr;
  if (::getgrgid_r(st.stx_gid, &gr, buf.data(), buf.size(), &gr_found) == 0 && gr_found) group = gr.gr_name;
  return json::object{{"realpath", realpath_of(path, st.stx_mode)},
                      {"type", type_of(st.stx_mode)},
                      {"size", static_cast<std::int64_t>(st.stx_size)},
                      {"allocation_size", static_cast<std::int64_t>(st.stx_blocks * 512)},
                      {"mode", st.stx_mode},
                      {"mount_id", static_cast<std::int64_t>(st.stx_mnt_id)},
                      {"uid", st.stx_uid},
                      {"gid", st.stx_gid},
                      {"atime", seconds(st.stx_atime)},
                      {"mtime", seconds(st.stx_mtime)},
                      {"ctime", seconds(st.stx_ctime)},
                      {"btime", seconds(st.stx_btime)},
                      {"dev", static_cast<std::int64_t>(makedev(st.stx_dev_major, st.stx_dev_minor))},
                      {"inode", static_cast<std::int64_t>(st.stx_ino)},
                      {"nlink", st.stx_nlink},
                      {"is_mountpoint", is_mountpoint(st)},
                      {"is_ctldir", false},
                      {"attributes", attributes(st)},
                      {"user", user},
                      {"group", group},
                      {"acl", has_acl(xattr_names(path))}};
}

}  // namespace mw::plugins::filesystem
