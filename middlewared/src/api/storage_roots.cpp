#include <middlewared/storage_roots.hpp>

#include <vector>

namespace mw {
namespace {
namespace fs = std::filesystem;

bool inside(const fs::path& path, const fs::path& root) {
  if (path.empty()) return false;
  auto p = path.begin();
  for (auto r = root.begin(); r != root.end(); ++r, ++p) {
    if (r->empty()) continue;  // trailing separator of the root
    if (p == path.end() || *p != *r) return false;
  }
  return true;
}

void push_reversed(std::vector<fs::path>& pending, const fs::path& relative) {
  std::vector<fs::path> parts(relative.begin(), relative.end());
  pending.insert(pending.end(), parts.rbegin(), parts.rend());
}

}  // namespace

fs::path StorageRoots::resolve(const fs::path& path) {
  if (!path.is_absolute()) return {};
  // As `realpath -m`: each component in turn, every link followed where it leads, also one whose
  // target does not exist (yet), and `..` taken from where the links led.
  fs::path out = "/";
  std::vector<fs::path> pending;
  push_reversed(pending, path.relative_path());
  int links = 0;
  while (!pending.empty()) {
    fs::path part = std::move(pending.back());
    pending.pop_back();
    if (part.empty() || part == ".") continue;
    if (part == "..") {
      out = out.parent_path();
      continue;
    }
    fs::path next = out / part;
    std::error_code ec;
    if (!fs::is_symlink(fs::symlink_status(next, ec))) {
      out = std::move(next);
      continue;
    }
    if (++links > 40) return {};  // a loop leads nowhere
    fs::path target = fs::read_symlink(next, ec);
    if (ec) return {};
    if (target.is_absolute()) out = "/";
    push_reversed(pending, target.relative_path());
  }
  return out;
}

StorageRoots::StorageRoots(std::vector<fs::path> roots) : roots_(std::move(roots)) {
  for (const auto& r : roots_) resolved_.push_back(resolve(r));
}

bool StorageRoots::contains(const fs::path& path) const {
  fs::path real = resolve(path);
  for (const auto& root : resolved_)
    if (!root.empty() && inside(real, root)) return true;
  return false;
}

std::string StorageRoots::outside_message() const {
  std::string list;
  for (const auto& r : roots_) list += (list.empty() ? "" : ", ") + r.string();
  return "The path must reside within a storage root (" + list + ")";
}

}  // namespace mw
