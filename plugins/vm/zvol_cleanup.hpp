#pragma once
// `zvols: true` of vm.delete and `zvol: true` of vm.device.delete: `zfs destroy -r` only for a zvol
// this server created and recorded as its own (docs/COMPATIBILITY.md).
#include <string>

#include "vm_state.hpp"

namespace mw::vm {

// Destroys `name` ("pool/zvol") and forgets it; throws std::runtime_error saying why it did not.
void destroy_owned_zvol(VmState& state, const std::string& name);

}  // namespace mw::vm
