#pragma once
// Files as TrueNAS's filesystem plugin describes them: the entries of filesystem.listdir and
// the answer of filesystem.stat, from statx(2).
#include <filesystem>
#include <optional>

#include <middlewared/json.hpp>

namespace mw::plugins::filesystem {

// {name, path, realpath, type, size, allocation_size, mode, mount_id, acl, uid, gid,
//  is_mountpoint, is_ctldir, attributes, xattrs, zfs_attrs}; nullopt when `path` is gone.
std::optional<json::object> dir_entry(const std::filesystem::path& path);

// {realpath, type, size, allocation_size, mode, mount_id, uid, gid, atime, mtime, ctime, btime,
//  dev, inode, nlink, is_mountpoint, is_ctldir, attributes, user, group, acl}; nullopt when gone.
std::optional<json::object> stat_entry(const std::filesystem::path& path);

}  // namespace mw::plugins::filesystem
