#include "device_convert.hpp"

#include <sys/stat.h>

#include <filesystem>
#include <set>

#include <middlewared/errors.hpp>
#include <middlewared/job.hpp>

#include "device/device_kind.hpp"
#include "run_command.hpp"

namespace mw::vm {

namespace {

const std::set<std::string> kImageExtensions = {"qcow2", "qed", "raw", "vdi", "vhdx", "vmdk"};

std::string extension_of(const std::string& path) {
  auto dot = path.rfind('.');
  return dot == std::string::npos || path.find('/', dot) != std::string::npos ? "" : path.substr(dot + 1);
}

bool is_image(const std::string& path) { return kImageExtensions.contains(extension_of(path)); }

std::uint64_t block_device_size(const std::string& path) {
  auto r = run_argv({"blockdev", "--getsize64", path});
  if (r.exit_code == 0) return std::stoull(r.out);
  std::error_code ec;
  auto size = std::filesystem::file_size(path, ec);
  return ec ? 0 : size;
}

std::string gib_text(std::uint64_t bytes) {
  return std::to_string((bytes + (1ull << 29)) >> 30) + "G";
}

}  // namespace

json::value DeviceConverter::convert(const json::value& data, Job* job) {
  if (data.is_int64()) return to_virtio(data.as_int64());
  return convert_image(data.as_object(), job);
}

json::object DeviceConverter::to_virtio(int64_t device_id) {
  auto device = state_.catalog.device(device_id);
  if (!device)
    throw ValidationErrors::single(std::nullopt, "VMDevice " + std::to_string(device_id) + " does not exist", ENOENT);
  if (device->dtype() != "DISK" && device->dtype() != "RAW")
    throw ValidationErrors("vm.device.convert", "Only DISK and RAW devices can be converted to VIRTIO");
  if (state_.runtime->active(device->vm))
    throw CallError("The VM must be stopped to change its disk bus to VIRTIO", EBUSY);
  json::object attributes{{"type", "VIRTIO"}};
  // The RAW file is there already: say so, or the re-validation refuses an existing path
  // (TrueNAS does not store `exists`, API-SPEC 6.7).
  if (device->dtype() == "RAW") attributes["exists"] = true;
  return devices_.update(device_id, json::object{{"attributes", std::move(attributes)}});
}

bool DeviceConverter::convert_image(const json::object& data, Job* job) {
  const std::string source(data.at("source").as_string());
  const std::string destination(data.at("destination").as_string());
  ValidationErrors errors;
  if (is_image(source) == is_image(destination)) {
    errors.add("vm.device.convert.source", "One path must be a disk image and the other must be a ZFS volume");
    errors.throw_if_any();
  }
  const bool to_image = is_image(destination);
  const std::string image = to_image ? destination : source;
  const std::string volume = to_image ? source : destination;
  const std::string image_attr = to_image ? "vm.device.convert.destination" : "vm.device.convert.source";
  const std::string volume_attr = to_image ? "vm.device.convert.source" : "vm.device.convert.destination";
  if (!state_.roots.contains(image)) errors.add(image_attr, state_.roots.outside_message());
  if (to_image && std::filesystem::exists(image))
    errors.add(image_attr, "'" + image + "' already exists and would be overwritten");
  if (!to_image && !std::filesystem::exists(image)) errors.add(image_attr, "'" + image + "' does not exist");
  if (!std::filesystem::exists(volume)) errors.add(volume_attr, "'" + volume + "' does not exist");
  errors.throw_if_any();

  for (const auto& d : state_.catalog.all_devices()) {
    auto path = string_attr(d.attributes, "path");
    if (path && *path == volume && state_.runtime->active(d.vm))
      throw CallError("'" + volume + "' is in use by a running VM", EBUSY);
  }
  if (!to_image) {
    std::string error;
    auto needed = state_.host->image_virtual_size(image, error);
    if (!needed) throw ValidationErrors(image_attr, error);
    const auto have = block_device_size(volume);
    if (have < static_cast<std::uint64_t>(*needed))
      throw ValidationErrors(volume_attr, volume + " too small (~" + gib_text(have) + "). Minimum size must be " +
                                              std::to_string((*needed + (1 << 20) - 1) >> 20) + "M");
  }
  if (job) job->set_progress(0, "Converting " + source + " to " + destination);
  const std::string format = to_image ? extension_of(image) : "raw";
  auto r = run_argv({"qemu-img", "convert", "-O", format, source, destination});
  if (r.exit_code != 0) {
    if (to_image) std::filesystem::remove(destination);
    throw CallError("qemu-img convert failed: " + r.err, EFAULT);
  }
  if (job) job->set_progress(100, "Converted " + source + " to " + destination);
  return true;
}

}  // namespace mw::vm
