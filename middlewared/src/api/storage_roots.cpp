#include <middlewared/storage_roots.hpp>

namespace mw {
namespace {
namespace fs = std::filesystem;

fs::path resolve(const fs::path& p) {
  std::error_code ec;
  fs::path r = fs::weakly_canonical(p, ec);
  return ec ? p.lexically_normal() : r;
}

bool inside(const fs::path& path, const fs::path& root) {
  auto p = path.begin();
  for (auto r = root.begin(); r != root.end(); ++r, ++p) {
    if (r->empty()) continue;  // trailing separator of the root
    if (p == path.end() || *p != *r) return false;
  }
  return true;
}
}  // namespace

StorageRoots::StorageRoots(std::vector<fs::path> roots) : roots_(std::move(roots)) {
  for (const auto& r : roots_) resolved_.push_back(resolve(r));
}

bool StorageRoots::contains(const fs::path& path) const {
  if (!path.is_absolute()) return false;
  // weakly_canonical follows every symlink of the existing prefix and folds `..`, so a link
  // pointing outside a root, or /mnt/../etc, is judged by where it really leads.
  fs::path real = resolve(path);
  for (const auto& root : resolved_)
    if (inside(real, root)) return true;
  return false;
}

std::string StorageRoots::outside_message() const {
  std::string list;
  for (const auto& r : roots_) list += (list.empty() ? "" : ", ") + r.string();
  return "The path must reside within a storage root (" + list + ")";
}

}  // namespace mw
