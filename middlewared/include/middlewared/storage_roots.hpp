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
  // True when `path` (absolute) really leads inside a root: every link on the way followed, also
  // a last one whose target does not exist yet, and `..` folded after that.
  bool contains(const std::filesystem::path& path) const;
  // Where an absolute `path` really leads (empty for a relative path or a link loop).
  static std::filesystem::path resolve(const std::filesystem::path& path);
  // "The path must reside within a storage root (/mnt, /var/lib/x/images)"
  std::string outside_message() const;
  const std::vector<std::filesystem::path>& roots() const { return roots_; }

 private:
  std::vector<std::filesystem::path> roots_;     // as configured, for messages
  std::vector<std::filesystem::path> resolved_;  // canonical forms, for comparisons
};

}  // namespace mw
