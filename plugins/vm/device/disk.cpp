// DISK: a block device of the host that vm.device.disk_choices offers: a zvol on TrueNAS; here any
// block device that nothing else uses (docs/COMPATIBILITY.md).
// Its QEMU side (arguments, host preparation): hypervisor/qemu/devices/disk.cpp.
#include "../host_info.hpp"
#include "../host_paths.hpp"
#include "kinds.hpp"

namespace mw::vm {
namespace {

bool is_zvol_path(const std::string& p) { return p.rfind("/dev/zvol/", 0) == 0; }

void check_existing_disk(const std::string& path, const DeviceContext& ctx, ValidationErrors& errors) {
  std::string zvol = is_zvol_path(path) ? path.substr(10) : std::string();
  auto check = check_disk_device(ctx.host, path);
  if (check.problem == DiskProblem::Missing) {
    if (!zvol.empty())
      errors.add("attributes.path", "Zvol (" + zvol + ") path (" + path + ") does not exist.", ENOENT);
    else
      errors.add("attributes.path", "Disk path (" + path + ") does not exist.", ENOENT);
  } else if (check.problem == DiskProblem::NotBlockDevice) {
    if (!zvol.empty())
      errors.add("attributes.path", "Path '" + path + "' (" + zvol + ") is not a volume.");
    else
      errors.add("attributes.path", "Disk path (" + path + ") is not a block device.");
  } else if (check.problem == DiskProblem::InUse) {
    errors.add("attributes.path", "Disk path (" + path + ") cannot be used: " + check.reason + ".");
  }
}

}  // namespace

std::vector<std::string> DiskKind::model_rules(const json::object& attrs) const {
  bool has_path = attrs.contains("path") && !attrs.at("path").is_null();
  bool create = attrs.contains("create_zvol") && attrs.at("create_zvol") == json::value(true);
  if (has_path && create) return {"Path should not be provided if create_zvol is set"};
  if (!has_path && !create) return {"Path must be specified if create_zvol is not set"};
  return {};
}

void DiskKind::check(DiskAttributes& attrs, const DeviceContext& ctx, ValidationErrors& errors) const {
  if (attrs.create_zvol) {
    // Creating zvols needs ZFS; this host build only consumes existing devices.
    if (!ctx.host.zfs_available())
      errors.add("attributes.create_zvol",
                 "ZFS is not available on this system: create the block device first and pass its path.");
    else
      errors.add("attributes.create_zvol",
                 "Creating a zvol is not supported by this server yet; create it with zfs and pass its path.");
  } else {
    for (auto [key, given] :
         {std::pair{"zvol_name", attrs.zvol_name.has_value()}, {"zvol_volsize", attrs.zvol_volsize.has_value()}})
      if (given)
        errors.add(std::string("attributes.") + key,
                   "This field should not be specified when \"create_zvol\" is unset.");
    const auto& path = attrs.path;
    if (!path || path->empty()) {
      errors.add("attributes.path", "Disk path is required.");
    } else {
      check_existing_disk(*path, ctx, errors);
      if (path_taken(*path, ctx))
        errors.add("attributes.path", ctx.vm_name() + " has \"" + *path + "\" already configured");
    }
  }
  check_sector_sizes(attrs, errors);
  settle_serial(attrs, ctx, errors);
}

}  // namespace mw::vm
