#pragma once
// Numeric CPU/node lists as TrueNAS writes them ("0-3,6").
#include <stdexcept>
#include <string>
#include <vector>

namespace mw::vm::hypervisor::qemu {

// Expands "0-3,6" to {0,1,2,3,6} in the written order; throws std::invalid_argument when malformed.
std::vector<int> parse_cpuset(const std::string& text);

}  // namespace mw::vm::hypervisor::qemu
