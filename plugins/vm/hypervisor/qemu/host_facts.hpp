#pragma once
// What the command-line builder needs to know about the host and the VM's state files. Filled by
// probe_host() and state_paths() below (the only functions here that look at the machine), or by
// hand in tests, so that the builder itself stays a pure function.
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "accelerator.hpp"

namespace mw::vm::hypervisor::qemu {

// Per-VM runtime files, all under one state directory.
struct StatePaths {
  std::string dir;
  std::string qmp_socket;        // the daemon's own QMP connection
  std::string debug_qmp_socket;  // a second QMP socket for tools and debugging
  std::string pidfile;
  std::string serial_socket;  // interactive serial console
  std::string serial_log;     // everything the console printed
  std::string guest_agent_socket;
  std::string vnc_socket;  // VNC listener when a VNC display has no port
  std::string qemu_log;    // QEMU's own stdout/stderr
  std::string vars_file;   // per-VM copy of the UEFI variable store
};

struct HostFacts {
  bool kvm_usable = false;          // QEMU gets -accel kvm (else tcg)
  std::string accelerator_reason;   // why that accelerator, for the log and /health
  std::string accelerator_refusal;  // non-empty: KVM was forced where it cannot run; start() refuses
  std::string qemu_x86_64 = "/usr/bin/qemu-system-x86_64";
  std::string qemu_i386 = "/usr/bin/qemu-system-i386";
  std::string ovmf_dir = "/usr/share/OVMF";
  bool vhost_net = false;                         // /dev/vhost-net exists (vhost=on aborts QEMU 7.2 without it)
  bool spice = true;                              // QEMU's SPICE module is installed
  bool vfio = false;                              // IOMMU groups populated and /dev/vfio/vfio present
  bool swtpm = false;                             // TPM emulator available
  std::set<std::string> usb_controllers;          // QEMU device names available; empty = assume all
  std::set<std::string> no_direct_io_paths;       // disk paths that refuse O_DIRECT (e.g. on tmpfs)
  std::map<std::int64_t, std::string> tap_names;  // NIC device id -> tap interface for its bridge
  StatePaths paths;
  // Test hooks: direct kernel boot and arguments appended after everything else.
  std::optional<std::string> kernel;
  std::optional<std::string> initrd;
  std::optional<std::string> append;
  std::vector<std::string> extra_args;
};

// Files of one VM under `state_dir`; `vars_file` is `<nvram_dir>/<id>_<name>_VARS.fd`.
StatePaths state_paths(const std::string& state_dir, const std::string& nvram_dir, std::int64_t vm_id,
                       const std::string& vm_name);

// Probes the accelerator (see accelerator.hpp), /dev/vhost-net, vfio/IOMMU, the SPICE module and swtpm.
HostFacts probe_host(AcceleratorMode accelerator = AcceleratorMode::Auto);

// False when `path` exists but refuses O_DIRECT (tmpfs); a missing path is left for QEMU to report.
bool supports_direct_io(const std::string& path);

}  // namespace mw::vm::hypervisor::qemu
