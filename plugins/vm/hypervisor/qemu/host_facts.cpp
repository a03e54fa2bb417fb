#include "host_facts.hpp"

#include <fcntl.h>
#include <unistd.h>
#include <cerrno>

#include <filesystem>

namespace mw::vm::hypervisor::qemu {

namespace fs = std::filesystem;

StatePaths state_paths(const std::string& state_dir, const std::string& nvram_dir, std::int64_t vm_id,
                       const std::string& vm_name) {
  StatePaths p;
  p.dir = state_dir;
  p.qmp_socket = state_dir + "/qmp.sock";
  p.debug_qmp_socket = state_dir + "/qmp-debug.sock";
  p.pidfile = state_dir + "/qemu.pid";
  p.serial_socket = state_dir + "/console.sock";
  p.serial_log = state_dir + "/console.log";
  p.guest_agent_socket = state_dir + "/qga.sock";
  p.vnc_socket = state_dir + "/vnc.sock";
  p.qemu_log = state_dir + "/qemu.log";
  p.vars_file = nvram_dir + "/" + std::to_string(vm_id) + "_" + vm_name + "_VARS.fd";
  return p;
}

namespace {

bool dir_has_entries(const fs::path& dir) {
  std::error_code ec;
  fs::directory_iterator it(dir, ec);
  return !ec && it != fs::directory_iterator();
}

}  // namespace

HostFacts probe_host(AcceleratorMode accelerator) {
  HostFacts facts;
  const auto choice = choose_accelerator(accelerator, probe_kvm());
  facts.kvm_usable = choice.name == "kvm";
  facts.accelerator_reason = choice.reason;
  facts.accelerator_refusal = choice.refusal;
  facts.vhost_net = fs::exists("/dev/vhost-net");
  facts.vfio = dir_has_entries("/sys/kernel/iommu_groups") && fs::exists("/dev/vfio/vfio");
  facts.spice = fs::exists("/usr/lib/x86_64-linux-gnu/qemu/ui-spice-core.so");
  facts.swtpm = fs::exists("/usr/bin/swtpm");
  // The USB host controllers qemu-system-x86 7.2 offers (`-device help`); VIA's UHCI is an ARM/MIPS board part.
  facts.usb_controllers = {"piix3-usb-uhci", "piix4-usb-uhci", "usb-ehci", "ich9-usb-ehci1",
                           "pci-ohci",       "nec-usb-xhci",   "qemu-xhci"};
  return facts;
}

bool supports_direct_io(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_DIRECT | O_CLOEXEC);
  if (fd >= 0) {
    ::close(fd);
    return true;
  }
  return errno != EINVAL;
}

}  // namespace mw::vm::hypervisor::qemu
