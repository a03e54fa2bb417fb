#pragma once
// The plugin-level checks of vm.create / vm.update.
#include <set>
#include <string>

#include <middlewared/errors.hpp>
#include <middlewared/json.hpp>

namespace mw::vm {

class HostInfo;
class VmCatalog;

struct VmValidationInput {
  json::object& data;         // complete fields (create: defaults filled; update: merged)
  const std::string& schema;  // "vm_create" / "vm_update"
  const json::object* old;    // stored fields on update, nullptr on create
  const VmCatalog& catalog;
  HostInfo& host;
  // Only a FULL_ADMIN caller may give (or change) command_line_args: QEMU runs them as root, so
  // `-drive file=/etc/shadow` would make VM_WRITE equal to root (docs/COMPATIBILITY.md).
  bool may_set_qemu_args = true;
  // Names of VMs created earlier in the same shared transaction, not in the catalog until it
  // commits (NewVm): taken as much as the catalog's.
  const std::set<std::string>* uncommitted_names = nullptr;
};

// Adds every failing check to `errors`; on create also completes `data` (secure-boot arch and
// machine, bootloader_ovmf). The uuid format is a model rule: check_uuid throws it alone first.
void validate_vm(VmValidationInput in, ValidationErrors& errors);
void check_uuid(const json::object& data, const std::string& schema);

// ^[a-zA-Z_0-9-]+$ : TrueNAS's set plus '-', so `vm.clone <id> "cloned-vm"` (VM-API-DOC) works.
bool valid_vm_name(const std::string& name);
// 8-4-4-4-12 hexadecimal digits.
bool valid_uuid(const std::string& text);
std::string new_uuid4();

}  // namespace mw::vm
