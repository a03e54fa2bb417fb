#include "device_convert.hpp"

#include <fcntl.h>
#include <linux/fs.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <filesystem>
#include <set>

#include <middlewared/errors.hpp>
#include <middlewared/job.hpp>

#include "device/device_kind.hpp"
#include "host_paths.hpp"
#include "run_command.hpp"

namespace mw::vm {

namespace {

using namespace std::chrono_literals;

// Hours for the largest images on slow disks; beyond that qemu-img is taken to be stuck.
constexpr auto kConvertTimeout = std::chrono::duration_cast<std::chrono::milliseconds>(12h);

const std::set<std::string> kImageExtensions = {"qcow2", "qed", "raw", "vdi", "vhdx", "vmdk"};

std::string extension_of(const std::string& path) {
  auto dot = path.rfind('.');
  return dot == std::string::npos || path.find('/', dot) != std::string::npos ? "" : path.substr(dot + 1);
}

bool is_image(const std::string& path) { return kImageExtensions.contains(extension_of(path)); }

std::uint64_t block_device_size(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) return 0;
  std::uint64_t size = 0;
  if (::ioctl(fd, BLKGETSIZE64, &size) != 0) size = 0;
  ::close(fd);
  return size;
}

// Why `path` may not be the block device side of a conversion ("" when it may).
std::string volume_problem(HostInfo& host, const std::string& path) {
  auto check = check_disk_device(host, path);
  switch (check.problem) {
    case DiskProblem::None:
      return {};
    case DiskProblem::Missing:
      return "'" + path + "' does not exist";
    case DiskProblem::NotBlockDevice:
      return "'" + path + "' is not a block device";
    case DiskProblem::InUse:
      return "'" + path + "' cannot be used: " + check.reason;
  }
  return {};
}

std::string gib_text(std::uint64_t bytes) { return std::to_string((bytes + (1ull << 29)) >> 30) + "G"; }

}  // namespace

json::value DeviceConverter::convert(const json::value& data, Job* job) {
  if (data.is_int64()) return to_virtio(data.as_int64());
  return convert_image(data.as_object(), job);
}

json::object DeviceConverter::to_virtio(int64_t device_id) {
  auto device = state_.catalog.device(device_id);
  if (!device)
    throw ValidationErrors::single(std::nullopt, "VMDevice " + std::to_string(device_id) + " does not exist", ENOENT);
  if (!device->get<DiskAttributes>() && !device->get<RawAttributes>())
    throw ValidationErrors("vm.device.convert", "Only DISK and RAW devices can be converted to VIRTIO");
  if (state_.runtime->active(device->vm))
    throw CallError("The VM must be stopped to change its disk bus to VIRTIO", EBUSY);
  json::object attributes{{"type", "VIRTIO"}};
  // The RAW file is there already: say so, or the re-validation refuses an existing path
  // (TrueNAS does not store `exists`).
  if (device->get<RawAttributes>()) attributes["exists"] = true;
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
  // Both sides: the image inside a storage root, the volume a block device a DISK could take, so
  // that neither a host file can be read into a root nor one outside the roots be overwritten.
  std::error_code ec;
  if (!state_.roots.contains(image)) {
    errors.add(image_attr, state_.roots.outside_message());
  } else if (to_image) {
    // symlink_status: a dangling link in the way counts as a file that would be overwritten.
    if (std::filesystem::exists(std::filesystem::symlink_status(image, ec)))
      errors.add(image_attr, "'" + image + "' already exists and would be overwritten");
  } else if (!std::filesystem::exists(image, ec)) {
    errors.add(image_attr, "'" + image + "' does not exist");
  } else if (!std::filesystem::is_regular_file(image, ec)) {
    errors.add(image_attr, "'" + image + "' is not a regular file");
  }
  if (auto problem = volume_problem(*state_.host, volume); !problem.empty()) errors.add(volume_attr, problem);
  errors.throw_if_any();

  for (const auto& d : state_.catalog.all_devices()) {
    const std::string* path = d.path();
    if (path && *path == volume && state_.runtime->active(d.vm))
      throw CallError("'" + volume + "' is in use by a running VM", EBUSY);
  }
  if (!to_image) {
    std::string error;
    auto info = state_.host->image_info(image, error);
    if (!info) throw ValidationErrors(image_attr, error);
    // A backing or data file is read along with the image: it could be any file of the host.
    if (!info->referenced_files.empty())
      throw ValidationErrors(image_attr,
                             "'" + image + "' reads its data from another file (" + info->referenced_files.front() +
                                 "): images with a backing file or an external data file cannot be imported");
    const auto have = block_device_size(volume);
    if (have < static_cast<std::uint64_t>(info->virtual_size))
      throw ValidationErrors(volume_attr, volume + " too small (~" + gib_text(have) + "). Minimum size must be " +
                                              std::to_string((info->virtual_size + (1 << 20) - 1) >> 20) + "M");
  }
  if (job) job->set_progress(0, "Converting " + source + " to " + destination);
  const std::string format = to_image ? extension_of(image) : "raw";
  // The source format is named, so a raw image is never probed (and taken) for another format.
  const std::string source_format = to_image ? "raw" : extension_of(image);
  const std::vector<std::string> argv = {"qemu-img", "convert", "-f", source_format, "-O", format, source, destination};
  auto r = run_argv(argv, kConvertTimeout);
  if (r.exit_code != 0) {
    if (to_image) std::filesystem::remove(destination, ec);
    throw CallError("qemu-img convert failed: " + failure_text(argv, kConvertTimeout, r), EFAULT);
  }
  if (job) job->set_progress(100, "Converted " + source + " to " + destination);
  return true;
}

}  // namespace mw::vm
