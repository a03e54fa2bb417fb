#pragma once
// Copies a disk image for vm.clone: a reflink (FICLONE) where the filesystem shares blocks,
// otherwise a sparse copy that skips holes (SEEK_DATA/SEEK_HOLE), so a mostly empty image stays cheap.
#include <string>

namespace mw::vm {

enum class CopyMethod { Reflink, Sparse };

// Throws std::system_error; `to` must not exist (never overwrites) and is removed on failure.
CopyMethod copy_disk_image(const std::string& from, const std::string& to);

// "<dir>/<stem>_<suffix><ext>" next to `path`.
std::string clone_image_path(const std::string& path, const std::string& suffix);

}  // namespace mw::vm
