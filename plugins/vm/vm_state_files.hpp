#pragma once
// A VM's firmware state files named after it (the UEFI variables store, <id>_<name>_VARS.fd)
// follow the VM as in TrueNAS: renamed with it, copied for its clone, removed with it. A
// destination that already exists (stale state of a deleted VM) stops the operation unchanged.
#include <string>
#include <utility>
#include <vector>

namespace mw::vm {

struct VmState;

// Pairs (from, to) of the state files of VM (from_id, from_name) -> (to_id, to_name), where the
// source exists. Throws CallError naming `what` ("rename", "clone") when a destination exists.
std::vector<std::pair<std::string, std::string>> state_file_moves(const VmState& state, int64_t from_id,
                                                                  const std::string& from_name, int64_t to_id,
                                                                  const std::string& to_name, const std::string& what);
// Renames (or copies) each pair; on a failure undoes the ones done and throws CallError.
void rename_state_files(const std::vector<std::pair<std::string, std::string>>& moves);
void copy_state_files(const std::vector<std::pair<std::string, std::string>>& moves);
// Puts renamed files back (after a later step failed); best effort.
void undo_renames(const std::vector<std::pair<std::string, std::string>>& moves);
// Best effort: what cannot be removed is logged.
void remove_state_files(const VmState& state, int64_t id, const std::string& name);

}  // namespace mw::vm
