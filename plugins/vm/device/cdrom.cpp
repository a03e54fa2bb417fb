// CDROM: a read-only image under a storage root.
// Its QEMU side (arguments, host preparation): hypervisor/qemu/devices/cdrom.cpp.
#include <filesystem>

#include "../host_info.hpp"
#include "../storage_roots.hpp"
#include "kinds.hpp"

namespace mw::vm {

void CdromKind::check(CdromAttributes& attrs, const DeviceContext& ctx, ValidationErrors& errors) const {
  const std::string& path = attrs.path;
  std::error_code ec;
  if (path.empty()) {
    errors.add("attributes.path", "Path is required for CDROM device");
  } else if (path[0] != '/') {
    errors.add("attributes.path", "Path must be an absolute path");
  } else if (!ctx.roots.contains(path)) {
    errors.add("attributes.path", ctx.roots.outside_message());
  } else if (!std::filesystem::exists(path, ec)) {
    errors.add("attributes.path", "Path " + path + " does not exist", ENOENT);
  } else if (!ctx.host.readable(path)) {
    errors.add("attributes.path", "'" + ctx.host.process_user() + "' user cannot read from '" + path +
                                      "' path. Please ensure correct permissions are specified.");
  }
  if (!path.empty() && path_taken(path, ctx))
    errors.add("attributes.path", ctx.vm_name() + " has '" + path + "' already configured");
}

}  // namespace mw::vm
