#pragma once
// Directories a plugin may touch files in, judged by where a path really leads (symlinks and
// `..` resolved): where RAW and CDROM files may live ([vm] storage_roots), and what the
// filesystem plugin lists and writes.
#include <filesystem>
#include <string>
#include <vector>

namespace mw {

class StorageRoots {
 public:
  explicit StorageRoots(std::vector<std::filesystem::path> roots);
  // True when `path` (absolute), with symlinks and `..` resolved, lies inside a root.
  bool contains(const std::filesystem::path& path) const;
  // "The path must reside within a storage root (/mnt, /var/lib/x/images)"
  std::string outside_message() const;
  const std::vector<std::filesystem::path>& roots() const { return roots_; }

 private:
  std::vector<std::filesystem::path> roots_;     // as configured, for messages
  std::vector<std::filesystem::path> resolved_;  // canonical forms, for comparisons
};

}  // namespace mw
