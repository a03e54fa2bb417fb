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

}  // namespace mw::vm
