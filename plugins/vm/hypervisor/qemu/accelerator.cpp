#include "accelerator.hpp"

#include <fcntl.h>
#include <linux/kvm.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace mw::vm::hypervisor::qemu {

namespace {

// The API version every KVM has reported since it stabilised; QEMU refuses any other.
constexpr int kKvmApiVersion = 12;

bool cpu_has_hardware_virtualization() {
  std::ifstream in("/proc/cpuinfo");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("flags", 0) != 0) continue;
    std::istringstream words(line.substr(line.find(':') + 1));
    std::string flag;
    while (words >> flag)
      if (flag == "vmx" || flag == "svm") return true;
    return false;  // every CPU lists the same flags: the first line decides
  }
  return false;
}

}  // namespace

std::optional<AcceleratorMode> parse_accelerator_mode(std::string_view text) {
  if (text == "auto") return AcceleratorMode::Auto;
  if (text == "kvm") return AcceleratorMode::Kvm;
  if (text == "tcg") return AcceleratorMode::Tcg;
  return std::nullopt;
}

KvmProbe probe_kvm() {
  KvmProbe probe;
  std::error_code ec;
  probe.paravirtual_module = std::filesystem::exists("/sys/module/kvm_pvm", ec);
  probe.hardware_virtualization = cpu_has_hardware_virtualization();
  const int kvm = ::open("/dev/kvm", O_RDWR | O_CLOEXEC);
  if (kvm < 0) {
    probe.open_error = std::strerror(errno);
    return probe;
  }
  probe.device_opens = true;
  probe.api_version = ::ioctl(kvm, KVM_GET_API_VERSION, 0);
  if (probe.api_version == kKvmApiVersion) {
    const int vm = ::ioctl(kvm, KVM_CREATE_VM, 0);
    if (vm >= 0) {
      probe.creates_vm = true;
      ::close(vm);
    } else {
      probe.create_vm_error = std::strerror(errno);
    }
  }
  ::close(kvm);
  return probe;
}

std::string kvm_unusable_reason(const KvmProbe& probe) {
  if (!probe.device_opens) return "/dev/kvm cannot be opened read-write (" + probe.open_error + ")";
  if (probe.api_version != kKvmApiVersion)
    return "/dev/kvm answers KVM API version " + std::to_string(probe.api_version) + ", not " +
           std::to_string(kKvmApiVersion);
  if (!probe.creates_vm) return "/dev/kvm refuses to create a VM (" + probe.create_vm_error + ")";
  if (probe.paravirtual_module && !probe.hardware_virtualization)
    return "/dev/kvm is the paravirtual-only kvm_pvm module and the CPU has neither vmx nor svm: "
           "it cannot run an unmodified guest";
  return {};
}

AcceleratorChoice choose_accelerator(AcceleratorMode mode, const KvmProbe& probe) {
  const auto unusable = kvm_unusable_reason(probe);
  switch (mode) {
    case AcceleratorMode::Tcg:
      return {"tcg", "TCG forced by the configuration (accelerator = tcg)", {}};
    case AcceleratorMode::Kvm:
      if (unusable.empty()) return {"kvm", "KVM forced by the configuration (accelerator = kvm)", {}};
      return {"kvm", "KVM forced by the configuration (accelerator = kvm), but " + unusable,
              "KVM was forced (accelerator = kvm) but cannot run guests on this host: " + unusable};
    case AcceleratorMode::Auto:
      break;
  }
  if (unusable.empty()) return {"kvm", "KVM: /dev/kvm can run ordinary guests", {}};
  return {"tcg", "TCG (software emulation): " + unusable, {}};
}

}  // namespace mw::vm::hypervisor::qemu
