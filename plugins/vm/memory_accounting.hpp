#pragma once
// Memory accounting used by vm.start. Without ZFS the ARC terms are 0.
#include <cstdint>
#include <optional>
#include <vector>

#include <middlewared/json.hpp>

#include "model/vm_config.hpp"

namespace mw::vm {

struct RunningVmMemory {
  std::uint64_t configured = 0;  // memory MiB x 1 MiB
  std::uint64_t in_use = 0;      // what its QEMU holds now (RSS)
};

// 90 % of MemAvailable; without overcommit, minus each running VM's not-yet-used memory.
std::uint64_t available_memory(std::uint64_t mem_available, const std::vector<RunningVmMemory>& running,
                               bool overcommit);
// min_memory if set, else memory, in bytes.
std::uint64_t requested_memory(const VmConfig& vm);

// From /proc/meminfo and /proc/<pid>/status; 0 when unreadable.
std::uint64_t host_mem_available();
std::uint64_t process_rss(int pid);

// vm.get_vm_memory_info for a stopped VM, given available_memory(.., false).
json::object vm_memory_info(const VmConfig& vm, std::uint64_t available);

}  // namespace mw::vm
