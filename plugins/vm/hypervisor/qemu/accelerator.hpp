#pragma once
// Which accelerator VMs get. A /dev/kvm that opens is not enough: a paravirtual-only KVM (the
// kvm_pvm module, on hosts whose CPU shows neither vmx nor svm) accepts `-accel kvm` and then never
// runs an unmodified guest. `auto` therefore takes KVM only when the device answers the KVM API and
// the host can run ordinary guests; everything else runs under TCG.
#include <optional>
#include <string>
#include <string_view>

namespace mw::vm::hypervisor::qemu {

enum class AcceleratorMode { Auto, Kvm, Tcg };

// "auto", "kvm" or "tcg"; nullopt for anything else.
std::optional<AcceleratorMode> parse_accelerator_mode(std::string_view text);

// What the host says about KVM; filled by probe_kvm() or by hand in tests.
struct KvmProbe {
  bool device_opens = false;  // /dev/kvm opens read-write
  std::string open_error;     // why not ("No such file or directory")
  int api_version = -1;       // KVM_GET_API_VERSION (12 for every KVM since Linux 2.6.22)
  bool creates_vm = false;    // KVM_CREATE_VM succeeded
  std::string create_vm_error;
  bool paravirtual_module = false;       // /sys/module/kvm_pvm exists
  bool hardware_virtualization = false;  // /proc/cpuinfo flags have vmx or svm
};

// Looks at /dev/kvm, /sys/module and /proc/cpuinfo (opens a throw-away VM; no guest runs).
KvmProbe probe_kvm();

// Empty when KVM can run an ordinary guest here, otherwise why it cannot.
std::string kvm_unusable_reason(const KvmProbe& probe);

struct AcceleratorChoice {
  std::string name;     // "kvm" or "tcg": what QEMU is started with
  std::string reason;   // one line for the log and /health
  std::string refusal;  // non-empty when KVM was forced where it cannot run: vm.start fails with it
};

AcceleratorChoice choose_accelerator(AcceleratorMode mode, const KvmProbe& probe);

}  // namespace mw::vm::hypervisor::qemu
