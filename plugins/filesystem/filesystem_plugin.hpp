#pragma once
#include <memory>

#include <middlewared/plugin.hpp>

namespace mw::plugins::filesystem {
// filesystem.listdir, filesystem.stat, filesystem.put: install media and disk images for VMs,
// inside the storage roots only (config [vm] storage_roots, read here as configuration).
std::unique_ptr<Plugin> make_filesystem_plugin();
}  // namespace mw::plugins::filesystem
