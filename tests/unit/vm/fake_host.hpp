#pragma once
// A HostInfo whose answers each test sets: no KVM, an x86_64 host with two emulators, and
// whatever interfaces, ports, USB and PCI devices the test describes.
#include <sys/stat.h>

#include <set>

#include "host_info.hpp"

namespace mw::vm::testing {

class FakeHost final : public HostInfo {
 public:
  std::string arch = "x86_64";
  bool kvm = false;
  std::map<std::string, std::vector<std::string>> machines = {
      {"x86_64", {"pc", "pc-i440fx-7.2", "q35", "pc-q35-7.2", "pc-q35-6.2", "microvm"}},
      {"i686", {"pc", "q35", "isapc"}}};
  std::map<std::string, std::vector<std::string>> models = {{"x86_64", {"EPYC", "Skylake-Server", "qemu64"}}};
  std::vector<std::string> ovmf = {"OVMF_CODE.fd",       "OVMF_CODE.secboot.fd",    "OVMF_CODE_4M.fd",
                                   "OVMF_CODE_4M.ms.fd", "OVMF_CODE_4M.secboot.fd", "OVMF_CODE_4M.snakeoil.fd"};
  std::vector<std::string> binds = {"0.0.0.0", "127.0.0.1", "::", "192.0.2.10"};
  std::vector<std::string> bridges = {"br0"};
  std::vector<std::string> others = {"eth0"};
  std::map<int, PortUser> busy_ports;
  json::object usb;
  json::object pci;
  bool iommu = true;
  std::set<std::string> unreadable;
  bool zfs = false;
  std::vector<std::string> destroyed_zvols;

  std::string host_arch() override { return arch; }
  bool kvm_available() override { return kvm; }
  json::object cpu_flags() override {
    return {{"intel_vmx", false}, {"unrestricted_guest", false}, {"amd_rvi", false}, {"amd_asids", false}};
  }
  std::map<std::string, std::vector<std::string>> machine_types() override { return machines; }
  std::vector<std::string> cpu_models(const std::string& a) override {
    auto it = models.find(a);
    return it == models.end() ? std::vector<std::string>{} : it->second;
  }
  std::vector<std::string> firmware_files(const std::string& family) override {
    return family == "OVMF" ? ovmf : std::vector<std::string>{};
  }
  std::vector<std::string> bind_addresses() override { return binds; }
  std::vector<std::string> bridge_interfaces() override { return bridges; }
  std::vector<std::string> macvlan_interfaces() override { return others; }
  std::optional<PortUser> port_user(int port) override {
    auto it = busy_ports.find(port);
    if (it == busy_ports.end()) return std::nullopt;
    return it->second;
  }
  json::object usb_devices() override { return usb; }
  json::object pci_devices() override { return pci; }
  bool iommu_enabled() override { return iommu; }
  bool readable(const std::string& path) override { return !unreadable.contains(path); }
  std::optional<ImageInfo> image_info(const std::string& path, std::string& error) override {
    error = "not used";
    return std::nullopt;
  }
  bool zfs_available() override { return zfs; }
  // The block devices the host has (those that exist here), and why some of them are taken.
  std::vector<std::string> disks = {"/dev/loop0"};
  std::map<std::string, std::string> taken_disks;
  std::vector<BlockDevice> block_devices() override {
    std::vector<BlockDevice> out;
    for (const auto& path : disks) {
      struct stat st {};
      if (::stat(path.c_str(), &st) != 0 || !S_ISBLK(st.st_mode)) continue;
      auto taken = taken_disks.find(path);
      out.push_back({path, path.substr(path.rfind('/') + 1), st.st_rdev, 1 << 20,
                     taken == taken_disks.end() ? "" : taken->second});
    }
    return out;
  }
  void destroy_zvol(const std::string& name) override { destroyed_zvols.push_back(name); }
  std::pair<std::string, std::string> clone_zvol(const std::string& zvol, const std::string& clone_name) override {
    if (!zfs) throw std::runtime_error("ZFS is not available on this system");
    cloned_zvols.push_back(zvol);
    return {zvol + "_" + clone_name, zvol + "@" + clone_name};
  }
  std::vector<std::string> cloned_zvols;
  std::string process_user() override { return "libvirt-qemu"; }
};

}  // namespace mw::vm::testing
