#pragma once
// What the host offers VMs: firmware, CPU models, machine types, interfaces, ports, USB/PCI
// devices. An interface so the validation can be unit-tested against a fake host.
#include <algorithm>
#include <cstdint>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <middlewared/json.hpp>

namespace mw::vm {

// A host block device, and whether a DISK device may be given it.
struct BlockDevice {
  std::string path;        // "/dev/zvol/<name with spaces as +>" for a zvol, else "/dev/<kernel name>"
  std::string name;        // "<pool/zvol>" for a zvol, else the kernel name ("sdb", "loop3")
  std::uint64_t rdev = 0;  // device number: the same device under any of its names
  std::uint64_t size = 0;  // bytes
  std::string in_use;      // empty when a VM may have it; else why not ("it holds the root filesystem")
};

// What qemu-img says of a disk image.
struct ImageInfo {
  std::int64_t virtual_size = 0;
  std::string format;
  // Other files the image reads its data from; non-empty lists make it unfit for an import.
  std::vector<std::string> referenced_files;
};

struct PortUser {
  std::string address;  // "0.0.0.0:5900"
  std::string service;  // process name, or "an unknown process"
};

class HostInfo {
 public:
  virtual ~HostInfo() = default;
  virtual std::string host_arch() = 0;  // uname machine, e.g. "x86_64"
  virtual bool kvm_available() = 0;
  // {intel_vmx, unrestricted_guest, amd_rvi, amd_asids}
  virtual json::object cpu_flags() = 0;
  // Guest architectures whose emulator is installed, each with its machine types ("none" left out).
  virtual std::map<std::string, std::vector<std::string>> machine_types() = 0;
  // CPU models the emulator of `arch` knows; empty for an unknown arch.
  virtual std::vector<std::string> cpu_models(const std::string& arch) = 0;
  // Firmware code files: family "OVMF" (/usr/share/OVMF, ^OVMF_CODE.*.fd) or "AAVMF".
  virtual std::vector<std::string> firmware_files(const std::string& family) = 0;
  // Whether `name` is one of them. vm.create and vm.update ask on every call: a host that keeps its
  // listings answers without copying one (LinuxHost); this default, for hosts that do not, does.
  virtual bool has_firmware_file(const std::string& family, std::string_view name) {
    const auto files = firmware_files(family);
    return std::find(files.begin(), files.end(), name) != files.end();
  }
  virtual std::vector<std::string> bind_addresses() = 0;
  virtual std::vector<std::string> bridge_interfaces() = 0;
  virtual std::vector<std::string> macvlan_interfaces() = 0;
  // Who listens on TCP `port` on this host, if anybody (tries to bind it).
  virtual std::optional<PortUser> port_user(int port) = 0;
  // name -> usb_passthrough_choices entry
  virtual json::object usb_devices() = 0;
  // name (pci_0000_00_1f_2) -> passthrough_device entry
  virtual json::object pci_devices() = 0;
  virtual bool iommu_enabled() = 0;
  // Whether the hypervisor (this process's user) may read `path`.
  virtual bool readable(const std::string& path) = 0;
  // qemu-img info (with a deadline); nullopt with `error` set when it cannot tell.
  virtual std::optional<ImageInfo> image_info(const std::string& path, std::string& error) = 0;
  virtual bool zfs_available() = 0;
  // Every block device of the host, each saying whether a VM may have it (not mounted, not swap,
  // not holding the root filesystem, not part of another device).
  virtual std::vector<BlockDevice> block_devices() = 0;
  // Throws std::runtime_error with the tool's message.
  virtual void destroy_zvol(const std::string& name) = 0;
  // A ZFS clone of `zvol` for the VM clone `clone_name`, as TrueNAS makes one: a snapshot
  // <zvol>@<clone_name> cloned to <zvol>_<clone_name> (each with _clone<N> when the name is
  // taken). Returns {clone, snapshot}; throws std::runtime_error with the tool's message.
  virtual std::pair<std::string, std::string> clone_zvol(const std::string& zvol, const std::string& clone_name) {
    throw std::runtime_error("ZFS is not available on this system");
  }
  virtual std::string process_user() = 0;
};

}  // namespace mw::vm
