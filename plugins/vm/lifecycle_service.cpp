#include "lifecycle_service.hpp"

#include <spdlog/spdlog.h>

#include <middlewared/errors.hpp>
#include <middlewared/guard.hpp>
#include <middlewared/job.hpp>

#include "host_paths.hpp"
#include "memory_accounting.hpp"

namespace mw::vm {

namespace {
constexpr std::int64_t kMiB = 1024 * 1024;

bool bool_field(const json::object& o, const char* key) {
  auto* v = o.if_contains(key);
  return v && v->is_bool() && v->get_bool();
}
}  // namespace

LifecycleService::LifecycleService(VmState& state, RuntimeRegistry& registry) : state_(state), registry_(registry) {
  stop_thread_ =
      std::thread([this] { run_guarded_loop(state_.log, "the vm stop thread", [this] { stop_io_.run(); }); });
}

LifecycleService::~LifecycleService() {
  stopping_ = true;
  if (autostart_.joinable()) autostart_.join();
  // Stops still waiting are dropped: the daemon is going (shutdown() stopped the VMs if asked).
  stop_io_.stop();
  if (stop_thread_.joinable()) stop_thread_.join();
}

VmConfig LifecycleService::require_vm(int64_t id) const {
  auto vm = state_.catalog.vm(id);
  if (!vm) throw ValidationErrors::single(std::nullopt, "VM " + std::to_string(id) + " does not exist", ENOENT);
  return *vm;
}

void LifecycleService::start(int64_t id, bool overcommit) {
  const auto vm = require_vm(id);
  const auto& name = vm.name;
  const auto devices = state_.catalog.devices_of(id);
  // Where each disk leads is judged again now: a link may have appeared since it was configured.
  check_device_paths(devices, *state_.host, state_.roots);
  auto runtime = registry_.runtime(id);
  runtime->start(vm, devices, [&] {
    // Checked inside the VM's turn, so two starts cannot both pass on the same free memory.
    const auto requested = requested_memory(vm);
    const auto available = available_memory(overcommit);
    if (requested > available && !overcommit) throw CallError("Cannot guarantee memory for guest " + name, ENOMEM);
  });
}

StopOptions LifecycleService::stop_options(const VmConfig& vm, const json::object& options) const {
  StopOptions stop;
  stop.force = bool_field(options, "force");
  stop.force_after_timeout = bool_field(options, "force_after_timeout");
  stop.timeout = std::chrono::seconds(vm.shutdown_timeout);
  return stop;
}

void LifecycleService::stop(int64_t id, const json::object& options, Job* job) {
  const auto vm = require_vm(id);
  registry_.runtime(id)->stop(vm.name, stop_options(vm, options), job);
}

void LifecycleService::stop_deferred(int64_t id, const json::object& options, Job& job) {
  const auto vm = require_vm(id);
  auto completion = job.defer();
  registry_.runtime(id)->stop_async(vm.name, stop_options(vm, options), &job, stop_io_.get_executor(),
                                    [completion](std::exception_ptr error) {
                                      if (error) return completion->fail(std::move(error));
                                      completion->succeed(nullptr);
                                    });
}

void LifecycleService::poweroff(int64_t id) { registry_.runtime(id)->poweroff(require_vm(id).name); }
void LifecycleService::reset(int64_t id) { registry_.runtime(id)->reset(require_vm(id).name); }
void LifecycleService::suspend(int64_t id) { registry_.runtime(id)->suspend(require_vm(id).name); }
void LifecycleService::resume(int64_t id) { registry_.runtime(id)->resume(require_vm(id).name); }

void LifecycleService::restart(int64_t id, Job* job) {
  const auto vm = require_vm(id);
  try {
    stop(id, json::object{{"force_after_timeout", true}}, job);
  } catch (const CallError& e) {
    throw CallError("Failed to stop '" + vm.name + "' vm: " + e.message(), e.errnum());
  }
  start(id, true);
}

json::object LifecycleService::status(int64_t id) {
  require_vm(id);
  return registry_.status(id);
}

json::value LifecycleService::memory_usage(int64_t id) {
  const auto vm = require_vm(id);
  auto runtime = registry_.find(id);
  if (!runtime || !runtime->ever_ran()) return 0;
  auto domain = runtime->live_domain();
  if (!domain) throw CallError("Domain '" + vm.name + "' is not running", EFAULT);
  try {
    return domain->balloon_actual();
  } catch (const hypervisor::HypervisorError& e) {
    throw CallError(e.what(), EFAULT);
  }
}

std::uint64_t LifecycleService::available_memory(bool overcommit) {
  std::vector<RunningVmMemory> running;
  for (const auto& [id, runtime] : registry_.all()) {
    auto domain = runtime->live_domain();
    auto vm = state_.catalog.vm(id);
    if (!domain || !vm) continue;
    running.push_back({static_cast<std::uint64_t>(vm->memory * kMiB), process_rss(domain->pid())});
  }
  return mw::vm::available_memory(host_mem_available(), running, overcommit);
}

json::object LifecycleService::vm_memory_info(int64_t id) {
  const auto vm = require_vm(id);
  if (registry_.active(id))
    throw CallError("Unable to retrieve '" + vm.name + "' VM information as it is already running.", EFAULT);
  return mw::vm::vm_memory_info(vm, available_memory(false));
}

json::object LifecycleService::vmemory_in_use() {
  std::int64_t rnp = 0, prd = 0, rprd = 0;
  for (const auto& vm : state_.catalog.all_vms()) {
    const auto bytes = vm.memory * kMiB;
    const bool active = registry_.active(vm.id);
    const bool autostart = vm.autostart;
    if (active && !autostart)
      rnp += bytes;
    else if (!active && autostart)
      prd += bytes;
    else if (active && autostart)
      rprd += bytes;
  }
  return json::object{{"RNP", rnp}, {"PRD", prd}, {"RPRD", rprd}};
}

json::array LifecycleService::guest_network_interfaces(int64_t id) {
  require_vm(id);
  auto runtime = registry_.find(id);
  auto domain = runtime ? runtime->live_domain() : nullptr;
  if (!domain) throw CallError("VM " + std::to_string(id) + " is not running", EFAULT);
  json::value reply;
  try {
    reply =
        domain->guest_agent_command(json::object{{"execute", "guest-network-get-interfaces"}}, std::chrono::seconds(5));
  } catch (const hypervisor::HypervisorError& e) {
    throw CallError(e.what(), EFAULT);
  }
  json::array out;
  if (!reply.is_array()) return out;
  for (const auto& iface : reply.as_array()) {
    if (!iface.is_object()) continue;
    const auto& i = iface.as_object();
    json::array addresses;
    if (auto* ips = i.if_contains("ip-addresses"); ips && ips->is_array()) {
      for (const auto& ip : ips->as_array()) {
        const auto& a = ip.as_object();
        const auto type = a.if_contains("ip-address-type") ? std::string(a.at("ip-address-type").as_string()) : "ipv4";
        addresses.push_back(json::object{{"ip_address", a.at("ip-address")},
                                         {"prefix", a.if_contains("prefix") ? a.at("prefix") : json::value(0)},
                                         {"ip_address_type", type == "ipv6" ? "IPV6" : "IPV4"}});
      }
    }
    out.push_back(
        json::object{{"name", i.at("name")},
                     {"hardware_address", i.if_contains("hardware-address") ? i.at("hardware-address") : nullptr},
                     {"ip_addresses", std::move(addresses)}});
  }
  return out;
}

json::array LifecycleService::display_devices(int64_t id, bool redact) {
  require_vm(id);
  json::array out;
  for (const auto& d : state_.catalog.devices_of(id)) {
    const auto* display = d.get<DisplayAttributes>();
    if (!display) continue;
    json::object entry = to_json(d);
    auto& attrs = entry["attributes"].as_object();
    attrs["password_configured"] = display->password && !display->password->empty();
    out.push_back(redact ? redact_device_entry(std::move(entry)) : std::move(entry));
  }
  return out;
}

void LifecycleService::attach_all() {
  // The hypervisor says from one look at its state directory which VMs left anything behind; the
  // others get no runtime until first used (its absence reads as a VM that never ran).
  auto snapshot = state_.catalog.snapshot();
  std::vector<const VmConfig*> vms;
  vms.reserve(snapshot->vm_count());
  snapshot->for_each_vm([&](const VmRow& row) { vms.push_back(&row.config); });
  int attached = 0;
  for (const auto* vm : registry_.hypervisor().attach_candidates(std::move(vms))) {
    if (registry_.runtime(vm->id)->attach(*vm)) ++attached;
  }
  if (state_.log && attached) state_.log->info("vm: re-attached to {} running VMs", attached);
}

void LifecycleService::autostart_in_background() {
  std::vector<int64_t> ids;
  state_.catalog.snapshot()->for_each_vm([&](const VmRow& row) {
    if (row.config.autostart && !registry_.active(row.config.id)) ids.push_back(row.config.id);
  });
  if (ids.empty()) return;
  // One at a time: under TCG a boot storm slows every guest down (QEMU-NOTES 1).
  autostart_ = std::thread([this, ids] {
    run_guarded(state_.log, "vm autostart", [&] {
      for (auto id : ids) {
        if (stopping_) return;
        try {
          if (!registry_.active(id)) start(id, false);
        } catch (const std::exception& e) {
          if (state_.log) state_.log->error("vm: autostart of VM {} failed: {}", id, e.what());
        }
      }
    });
  });
}

void LifecycleService::shutdown(bool stop_vms) {
  stopping_ = true;
  if (autostart_.joinable()) autostart_.join();
  if (!stop_vms) return;
  std::vector<std::thread> stoppers;
  for (const auto& [id, runtime] : registry_.all()) {
    if (!runtime->active()) continue;
    stoppers.emplace_back([this, id = id, runtime = runtime] {
      run_guarded(state_.log, "vm stop at shutdown", [&] {
        try {
          if (runtime->snapshot().state == "SUSPENDED")
            poweroff(id);
          else
            stop(id, json::object{{"force_after_timeout", true}}, nullptr);
        } catch (const std::exception& e) {
          if (state_.log) state_.log->warn("vm: stopping VM {} at shutdown: {}", id, e.what());
        }
      });
    });
  }
  for (auto& t : stoppers) t.join();
}

void LifecycleService::poweroff_if_active(int64_t id) {
  if (registry_.active(id)) poweroff(id);
}

}  // namespace mw::vm
