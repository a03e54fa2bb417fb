// vm.* runtime methods as data: name, roles, job flags, handler.
#include <middlewared/errors.hpp>

#include "lifecycle_service.hpp"
#include "method_tables.hpp"

namespace mw::vm {

void register_lifecycle_methods(PluginContext& ctx, LifecycleService& life) {
  const std::vector<std::string> read = {"VM_READ"}, write = {"VM_WRITE"};
  auto add = [&](auto&&... args) { add_plain_method(ctx, std::forward<decltype(args)>(args)...); };
  auto add_job = [&](std::string name, std::string description, std::string lock_prefix, Handler handler) {
    MethodSpec spec;
    spec.name = std::move(name);
    spec.description = std::move(description);
    spec.roles = {"VM_WRITE"};
    spec.job = true;
    spec.job_lock = [lock_prefix](const json::array& p) { return lock_prefix + std::to_string(p.at(0).as_int64()); };
    spec.handler = std::move(handler);
    ctx.add_method(std::move(spec));
  };
  auto null_after = [](auto&& f) {
    return [f](CallContext&, json::array& p) -> json::value {
      f(p);
      return nullptr;
    };
  };

  add("vm.start", "Start a VM (memory checked unless overcommit).", write, null_after([&life](json::array& p) {
        auto options = object_param(p, 1);
        life.start(int_param(p, 0), options.contains("overcommit") && options.at("overcommit").as_bool());
      }));
  add_job("vm.stop", "Stop a VM: ACPI power button, then power-off if asked.", "stop_vm_",
          [&life](CallContext& c, json::array& p) -> json::value {
            // The job ends when the guest is down; no job thread waits for it meanwhile.
            life.stop_deferred(int_param(p, 0), object_param(p, 1), *c.job);
            return nullptr;
          });
  add_job("vm.restart", "Stop (forcing after the timeout) and start a VM.", "restart_vm_",
          [&life](CallContext& c, json::array& p) -> json::value {
            life.restart(int_param(p, 0), c.job);
            return nullptr;
          });
  add("vm.poweroff", "Power a VM off at once.", write,
      null_after([&life](json::array& p) { life.poweroff(int_param(p, 0)); }));
  add("vm.reset", "Hardware reset of a VM.", write,
      null_after([&life](json::array& p) { life.reset(int_param(p, 0)); }));
  add("vm.suspend", "Pause a VM.", write, null_after([&life](json::array& p) { life.suspend(int_param(p, 0)); }));
  add("vm.resume", "Continue a suspended VM.", write,
      null_after([&life](json::array& p) { life.resume(int_param(p, 0)); }));
  add("vm.status", "Runtime state of a VM.", read,
      [&life](CallContext&, json::array& p) -> json::value { return life.status(int_param(p, 0)); });
  add("vm.get_memory_usage", "Memory a running guest has, in bytes.", read,
      [&life](CallContext&, json::array& p) -> json::value { return life.memory_usage(int_param(p, 0)); });
  add("vm.get_vm_memory_info", "Memory a stopped VM would need.", read,
      [&life](CallContext&, json::array& p) -> json::value { return life.vm_memory_info(int_param(p, 0)); });
  add("vm.get_vmemory_in_use", "Memory of running and autostart VMs.", read,
      [&life](CallContext&, json::array&) -> json::value { return life.vmemory_in_use(); });
  add("vm.get_available_memory", "Bytes available to start VMs.", read,
      [&life](CallContext&, json::array& p) -> json::value {
        const bool overcommit = !p.empty() && p[0].is_bool() && p[0].as_bool();
        return static_cast<std::int64_t>(life.available_memory(overcommit));
      });
  add("vm.get_guest_network_interfaces", "Guest network interfaces (QEMU guest agent).", read,
      [&life](CallContext&, json::array& p) -> json::value { return life.guest_network_interfaces(int_param(p, 0)); });
  add("vm.get_display_devices", "DISPLAY devices of a VM.", read,
      [&life](CallContext& c, json::array& p) -> json::value {
        return life.display_devices(int_param(p, 0), !sees_secrets(c, "VM_WRITE"));
      });
}

}  // namespace mw::vm
