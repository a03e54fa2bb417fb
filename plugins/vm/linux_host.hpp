#pragma once
// HostInfo from the real machine: sysfs, procfs, getifaddrs, and the QEMU tools (run once, cached).
#include <sys/types.h>

#include <cstdint>
#include <ctime>
#include <filesystem>
#include <memory>
#include <mutex>

#include "host_info.hpp"

namespace mw::vm {

// Pure parsers of tool output, exposed for tests.
std::vector<std::string> parse_cpu_help(const std::string& text);
std::vector<std::string> parse_machine_help(const std::string& text);
// `qemu-img info --output=json` -> ImageInfo; nullopt when it has no virtual size.
std::optional<ImageInfo> parse_image_info(const std::string& json_text);

class LinuxHost final : public HostInfo {
 public:
  // How firmware_files() learns that a directory it listed changed: told by the kernel (inotify),
  // or by looking at the directory's identity and time stamps on every call (also where the kernel
  // cannot watch it).
  enum class FirmwareChanges { watched, looked_up };
  // `firmware_root` holds the firmware families' directories (/usr/share/OVMF, ...).
  explicit LinuxHost(std::filesystem::path firmware_root = "/usr/share",
                     FirmwareChanges firmware_changes = FirmwareChanges::watched)
      : firmware_root_(std::move(firmware_root)), firmware_changes_(firmware_changes) {}
  ~LinuxHost() override;
  LinuxHost(const LinuxHost&) = delete;
  LinuxHost& operator=(const LinuxHost&) = delete;

  std::string host_arch() override;
  bool kvm_available() override;
  json::object cpu_flags() override;
  std::map<std::string, std::vector<std::string>> machine_types() override;
  std::vector<std::string> cpu_models(const std::string& arch) override;
  std::vector<std::string> firmware_files(const std::string& family) override;
  bool has_firmware_file(const std::string& family, std::string_view name) override;
  std::vector<std::string> bind_addresses() override;
  std::vector<std::string> bridge_interfaces() override;
  std::vector<std::string> macvlan_interfaces() override;
  std::optional<PortUser> port_user(int port) override;
  json::object usb_devices() override;
  json::object pci_devices() override;
  bool iommu_enabled() override;
  bool readable(const std::string& path) override;
  std::optional<ImageInfo> image_info(const std::string& path, std::string& error) override;
  bool zfs_available() override;
  std::vector<BlockDevice> block_devices() override;
  void destroy_zvol(const std::string& name) override;
  std::pair<std::string, std::string> clone_zvol(const std::string& zvol, const std::string& clone_name) override;
  std::string process_user() override;

  // How many times firmware_files() read a directory (for tests: a repeated call answers from the
  // cache while the directory is unchanged).
  std::uint64_t firmware_directory_reads();

 private:
  // A firmware directory's listing and what identified the directory when it was read.
  struct FirmwareListing {
    dev_t dev = 0;
    ino_t ino = 0;
    timespec mtime{};
    timespec ctime{};
    bool settled = false;  // changed long enough before the read that a later change moves mtime
    bool watched = false;  // watched since before the read: the listing holds until a change is reported
    std::vector<std::string> files;
  };
  // Starts watching `dir` for entries added, removed or renamed, and for the directory itself
  // going; false when it cannot be watched.
  bool watch_firmware_directory(const std::filesystem::path& dir);
  // Whether the kernel reported a change in a watched directory since the last call.
  bool firmware_changed();
  // The family's listing, read again if it may have changed (firmware_mutex_ held).
  const std::vector<std::string>& current_firmware(const std::string& family);

  std::mutex mutex_;
  std::optional<std::map<std::string, std::vector<std::string>>> machines_;
  std::map<std::string, std::vector<std::string>> cpu_models_;
  std::filesystem::path firmware_root_;
  std::mutex firmware_mutex_;
  std::map<std::string, FirmwareListing> firmware_;
  std::uint64_t firmware_reads_ = 0;
  FirmwareChanges firmware_changes_;
  int firmware_watch_ = -1;  // the inotify descriptor, once a directory is watched
};

}  // namespace mw::vm
