#include "memory_accounting.hpp"

#include <fstream>
#include <sstream>
#include <string>

namespace mw::vm {

namespace {
constexpr std::uint64_t kMiB = 1024 * 1024;

// "<key>: <n> kB" from a /proc text file, in bytes.
std::uint64_t proc_kb_field(const std::string& path, const std::string& key) {
  std::ifstream in(path);
  for (std::string line; std::getline(in, line);) {
    if (line.rfind(key + ":", 0) != 0) continue;
    std::istringstream fields(line.substr(key.size() + 1));
    std::uint64_t kb = 0;
    fields >> kb;
    return kb * 1024;
  }
  return 0;
}
}  // namespace

std::uint64_t available_memory(std::uint64_t mem_available, const std::vector<RunningVmMemory>& running,
                               bool overcommit) {
  std::uint64_t available = mem_available / 10 * 9;
  if (overcommit) return available;
  for (const auto& vm : running) {
    if (vm.configured <= vm.in_use) continue;
    const auto reserve = vm.configured - vm.in_use;
    available = available > reserve ? available - reserve : 0;
  }
  return available;
}

std::uint64_t requested_memory(const VmConfig& vm) {
  if (vm.min_memory && *vm.min_memory > 0) return static_cast<std::uint64_t>(*vm.min_memory) * kMiB;
  return static_cast<std::uint64_t>(vm.memory) * kMiB;
}

std::uint64_t host_mem_available() { return proc_kb_field("/proc/meminfo", "MemAvailable"); }

std::uint64_t process_rss(int pid) { return proc_kb_field("/proc/" + std::to_string(pid) + "/status", "VmRSS"); }

json::object vm_memory_info(const VmConfig& vm, std::uint64_t available) {
  const auto requested = requested_memory(vm);
  json::value minimum = nullptr;
  if (vm.min_memory && *vm.min_memory > 0) minimum = *vm.min_memory * static_cast<std::int64_t>(kMiB);
  // No ZFS ARC to shrink here: overcommit cannot free anything.
  return json::object{{"minimum_memory_requested", minimum},
                      {"total_memory_requested", vm.memory * static_cast<std::int64_t>(kMiB)},
                      {"overcommit_required", requested > available},
                      {"memory_req_fulfilled_after_overcommit", requested <= available},
                      {"arc_to_shrink", 0},
                      {"current_arc_max", 0},
                      {"arc_min", 0},
                      {"arc_max_after_shrink", 0},
                      {"actual_vm_requested_memory", static_cast<std::int64_t>(requested)}};
}

}  // namespace mw::vm
