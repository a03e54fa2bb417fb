// vm.* as data: name, roles, handler. Schemas: schemas/vm/<method>.{params,result}.json.
#include <middlewared/errors.hpp>

#include "choices.hpp"
#include "lifecycle_service.hpp"
#include "method_tables.hpp"
#include "random_ids.hpp"
#include "vm_service.hpp"

namespace mw::vm {

void add_plain_method(PluginContext& ctx, std::string name, std::string description, std::vector<std::string> roles,
                      Handler handler, bool filterable, Blocks blocks) {
  MethodSpec spec;
  spec.name = std::move(name);
  spec.description = std::move(description);
  spec.roles = std::move(roles);
  spec.filterable = filterable;
  spec.may_block = blocks == Blocks::May;
  spec.handler = std::move(handler);
  ctx.add_method(std::move(spec));
}

bool sees_secrets(const CallContext& call, const char* write_role) {
  if (!call.session) return true;  // internal call
  // However the caller logged in (a token carries its creator's roles): write rights only.
  return call.has_role(write_role);
}

int64_t int_param(const json::array& params, std::size_t index) { return params.at(index).as_int64(); }

json::object object_param(const json::array& params, std::size_t index) {
  return index < params.size() && params[index].is_object() ? params[index].as_object() : json::object{};
}

json::object take_object_param(json::array& params, std::size_t index) {
  return index < params.size() && params[index].is_object() ? std::move(params[index].as_object()) : json::object{};
}

json::array array_param(const json::array& params, std::size_t index) {
  return index < params.size() && params[index].is_array() ? params[index].as_array() : json::array{};
}

void register_vm_methods(PluginContext& ctx, VmService& vms, Choices& choices, LifecycleService* life) {
  const std::vector<std::string> read = {"VM_READ"}, write = {"VM_WRITE"};
  auto add = [&](auto&&... args) { add_plain_method(ctx, std::forward<decltype(args)>(args)...); };
  auto redact = [](CallContext& c) { return !sees_secrets(c, "VM_WRITE"); };

  // Answered from the catalog's ready bytes when the caller takes JSON text (CallContext::result_text).
  add(
      "vm.query", "Query virtual machines.", read,
      [&vms, redact](CallContext& c, json::array& p) -> json::value {
        if (!c.result_text_allowed) return vms.query(array_param(p, 0), object_param(p, 1), redact(c));
        vms.query_text(c.result_text, array_param(p, 0), object_param(p, 1), redact(c));
        return nullptr;
      },
      true, Blocks::Never);  // the catalog's snapshot and runtime states, in memory
  add(
      "vm.get_instance", "Return the VM with the given id.", read,
      [&vms, redact](CallContext& c, json::array& p) -> json::value {
        if (!c.result_text_allowed) return vms.get_instance(int_param(p, 0), object_param(p, 1), redact(c));
        vms.get_instance_text(c.result_text, int_param(p, 0), object_param(p, 1), redact(c));
        return nullptr;
      },
      false, Blocks::Never);
  // command_line_args reach QEMU, which runs as root: only a full administrator may set them.
  // (No credentials: the daemon's own in-process call.)
  auto full_admin = [](CallContext& c) { return !c.credentials || c.credentials->full_admin(); };
  // A client's create runs where its frame was read, as far as queueing its write: the transaction
  // and its fsync run on a worker (Datastore::write_shared_later), and whoever ran the fsync
  // answers. So no thread is handed a create only to sleep until the disk has it. In-process
  // calls and jobs (no answer_later) wait for theirs, on their own thread.
  add(
      "vm.create", "Create a virtual machine.", write,
      [&vms, redact, full_admin](CallContext& c, json::array& p) -> json::value {
        if (c.answer_later) {
          vms.create_later(c.answer_later, take_object_param(p, 0), full_admin(c), redact(c));
          return nullptr;
        }
        return vms.create(take_object_param(p, 0), full_admin(c), redact(c));
      },
      false, Blocks::Never);
  add("vm.update", "Update a virtual machine.", write,
      [&vms, redact, full_admin](CallContext& c, json::array& p) -> json::value {
        auto entry = vms.update(int_param(p, 0), object_param(p, 1), full_admin(c));
        return redact(c) ? redact_vm_entry(std::move(entry)) : entry;
      });
  add("vm.delete", "Delete a virtual machine and its devices (with force, a running one is powered off first).", write,
      [&vms, life](CallContext&, json::array& p) -> json::value {
        const auto id = int_param(p, 0);
        const auto options = object_param(p, 1);
        // With force, a running VM is powered off first.
        if (life && options.contains("force") && options.at("force").as_bool()) life->poweroff_if_active(id);
        vms.remove(id, options);
        if (life) life->forget(id);
        return nullptr;
      });
  add("vm.clone", "Clone a virtual machine's configuration and devices.", write,
      [&vms](CallContext&, json::array& p) -> json::value {
        std::optional<std::string> name;
        if (p.size() > 1 && p[1].is_string()) name = std::string(p[1].as_string());
        return vms.clone(int_param(p, 0), name);
      });
  add("vm.get_console", "Name of the VM's serial console.", read,
      [&vms](CallContext&, json::array& p) -> json::value { return json::string(vms.get_console(int_param(p, 0))); });
  add(
      "vm.random_mac", "A random MAC address with the 00:a0:98 prefix.", read,
      [](CallContext&, json::array&) -> json::value { return json::string(random_mac()); }, false, Blocks::Never);
  add("vm.port_wizard", "The two lowest free display ports.", read,
      [&choices](CallContext&, json::array&) -> json::value { return choices.port_wizard(); });
  add(
      "vm.maximum_supported_vcpus", "Largest vCPU count a VM may have.", read,
      [](CallContext&, json::array&) -> json::value { return 255; }, false, Blocks::Never);
  add(
      "vm.bootloader_options", "Bootloaders a VM may use.", read,
      [&choices](CallContext&, json::array&) -> json::value { return choices.bootloader_options(); }, false,
      Blocks::Never);
  add("vm.bootloader_ovmf_choices", "UEFI firmware files in /usr/share/OVMF.", read,
      [&choices](CallContext&, json::array&) -> json::value { return choices.firmware_choices("OVMF"); });
  add("vm.bootloader_aavmf_choices", "aarch64 UEFI firmware files in /usr/share/AAVMF.", read,
      [&choices](CallContext&, json::array&) -> json::value { return choices.firmware_choices("AAVMF"); });
  add("vm.cpu_model_choices", "CPU models the emulator of an architecture knows.", read,
      [&choices](CallContext&, json::array& p) -> json::value {
        return choices.cpu_model_choices(p.size() > 0 && p[0].is_string() ? std::string(p[0].as_string()) : "x86_64");
      });
  add("vm.guest_architecture_and_machine_choices", "Guest architectures and their machine types.", read,
      [&choices](CallContext&, json::array&) -> json::value {
        return choices.guest_architecture_and_machine_choices();
      });
  add(
      "vm.resolution_choices", "Display resolutions.", read,
      [&choices](CallContext&, json::array&) -> json::value { return choices.resolution_choices(); }, false,
      Blocks::Never);
  add("vm.virtualization_details", "Whether hardware virtualization (KVM) is usable.", read,
      [&choices](CallContext&, json::array&) -> json::value { return choices.virtualization_details(); });
  add("vm.supports_virtualization", "Whether hardware virtualization (KVM) is usable.", read,
      [&choices](CallContext&, json::array&) -> json::value { return choices.supports_virtualization(); });
  add("vm.flags", "CPU virtualization flags of the host.", read,
      [&choices](CallContext&, json::array&) -> json::value { return choices.flags(); });
}

}  // namespace mw::vm
