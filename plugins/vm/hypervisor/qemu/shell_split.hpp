#pragma once
// POSIX-shell word splitting (quotes and backslashes, no expansion), as Python's shlex.split.
#include <stdexcept>
#include <string>
#include <vector>

namespace mw::vm::hypervisor::qemu {

// Throws std::invalid_argument("No closing quotation" / "No escaped character") on bad input.
std::vector<std::string> shell_split(const std::string& text);

}  // namespace mw::vm::hypervisor::qemu
