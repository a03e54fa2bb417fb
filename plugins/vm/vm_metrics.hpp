#pragma once
// The vm plugin's part of GET /health and GET /metrics.
#include <middlewared/plugin.hpp>

#include "runtime_registry.hpp"
#include "vm_state.hpp"

namespace mw::vm {

// Health: {"hypervisor": "qemu <version>", "kvm": bool, "accelerator": "kvm"|"tcg", "accelerator_reason",
// "vms": {"total", "running"}}.
// Metrics: middlewared_vm_host_info{accelerator, qemu_version}; VMs by state; per running VM its CPU
// seconds (/proc/<pid>/stat), balloon size and block I/O bytes (QMP), and bridged NICs' tap counters.
void register_vm_observability(PluginContext& ctx, VmState& state, RuntimeRegistry& registry);

// utime + stime of a process in seconds, from /proc/<pid>/stat; nullopt when it is gone.
std::optional<double> process_cpu_seconds(int pid);
// Resident memory of a process in bytes, from /proc/<pid>/statm; 0 when it is gone.
std::uint64_t process_resident_bytes(int pid);

// The counters of one running VM that /metrics and vm.stats show.
struct VmCounters {
  std::optional<double> cpu_seconds;  // of its QEMU process
  std::uint64_t resident_bytes = 0;   // of its QEMU process: the guest's memory really in use
  std::uint64_t balloon_actual = 0;
  double block_read = 0, block_written = 0;
  struct Nic {
    int64_t id;
    double received, transmitted;  // as the guest sees it
  };
  std::vector<Nic> nics;  // bridged NICs only: user-mode NICs have no counters QEMU could report
};
// Reads them (QMP and /proc; may block briefly). Throws when the VM went away meanwhile.
VmCounters read_vm_counters(VmState& state, int64_t id, hypervisor::Domain& domain);

}  // namespace mw::vm
