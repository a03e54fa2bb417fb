#include "vm_plugin.hpp"

#include <spdlog/spdlog.h>

#include <filesystem>

#include <middlewared/byte_size.hpp>

#include "choices.hpp"
#include "console/console_service.hpp"
#include "device_convert.hpp"
#include "device_service.hpp"
#include "embedded_migrations.hpp"
#include "hypervisor/qemu/qemu_hypervisor.hpp"
#include "lifecycle_service.hpp"
#include "linux_host.hpp"
#include "method_tables.hpp"
#include "runtime_registry.hpp"
#include "runtime_status.hpp"
#include "vm_metrics.hpp"
#include "vm_service.hpp"
#include "vm_stats.hpp"

namespace mw::vm {
namespace {

class VmPlugin final : public Plugin {
 public:
  explicit VmPlugin(VmPluginDeps deps) : deps_(std::move(deps)) {}
  // Domains must go before the hypervisor whose I/O thread serves them, and before the state
  // their events are published through.
  ~VmPlugin() override {
    life_.reset();
    if (registry_) registry_->clear();
  }

  std::string name() const override { return "vm"; }
  // The serial console checks its tokens with auth's ShellTokenChecker.
  std::vector<std::string> depends_on() const override { return {"auth"}; }

  void setup(PluginContext& ctx) override {
    ctx.add_role({"VM_READ", {}, true});
    ctx.add_role({"VM_WRITE", {"VM_READ"}, false});
    ctx.add_role({"VM_DEVICE_READ", {"VM_READ"}, true});
    ctx.add_role({"VM_DEVICE_WRITE", {"VM_WRITE", "VM_DEVICE_READ"}, false});
    ctx.add_event(
        {kVmEvent, "Virtual machines: added, changed (configuration or state), removed.", {"VM_READ"}, {"VM_WRITE"}});
    ctx.add_event({kStatsEvent,
                   "Running VMs' CPU %, memory, disk and network throughput, once a second while subscribed.",
                   {"VM_READ"},
                   {}});
    ctx.add_event(
        {kDeviceEvent, "Virtual machine devices: added, changed, removed.", {"VM_DEVICE_READ"}, {"VM_DEVICE_WRITE"}});

    const auto& state_dir = ctx.config().state_dir();
    std::filesystem::path images = state_dir / "images";
    std::filesystem::create_directories(images);
    std::vector<std::filesystem::path> roots;
    for (const auto& r : ctx.config().get_list("vm", "storage_roots", {"/mnt", images.string()})) roots.emplace_back(r);

    auto store = ctx.open_datastore("vm", migrations_from_files(migrations::embedded_files()));
    auto host = deps_.host ? deps_.host : std::make_shared<LinuxHost>();
    hypervisor_ = deps_.hypervisor
                      ? deps_.hypervisor
                      : make_qemu(state_dir, accelerator_mode(ctx.config()), serial_log_max_size(ctx.config()));
    registry_ = std::make_shared<RuntimeRegistry>(hypervisor_, ctx.logger("vm"));
    std::shared_ptr<VmRuntimeStatus> runtime = deps_.runtime ? deps_.runtime : registry_;
    state_ = std::make_unique<VmState>(std::move(store), std::move(host), std::move(runtime), &ctx.events(),
                                       StorageRoots(std::move(roots)), ctx.logger("vm"));
    state_->load();
    state_->named_state_files = [hv = hypervisor_](int64_t id, const std::string& name) {
      return hv->named_state_files(id, name);
    };
    state_->compile_schema = [&ctx](const std::string& ref) { return ctx.compile_schema(ref); };
    registry_->set_notify([state = state_.get()](int64_t id) { state->publish_vm(EventKind::Changed, id); });
    stop_vms_on_shutdown_ = ctx.config().get_bool("vm", "stop_vms_on_shutdown", false);
    vms_ = std::make_unique<VmService>(*state_);
    devices_ = std::make_unique<DeviceService>(*state_);
    choices_ = std::make_unique<Choices>(*state_);
    life_ = std::make_unique<LifecycleService>(*state_, *registry_);
    register_vm_methods(ctx, *vms_, *choices_, life_.get());
    register_device_methods(ctx, *devices_, *choices_);
    converter_ = std::make_unique<DeviceConverter>(*state_, *devices_);
    register_device_convert(ctx, *converter_);
    register_lifecycle_methods(ctx, *life_);
    console_ = console::register_console(ctx, *state_, console::files_of(hypervisor_));
    register_vm_observability(ctx, *state_, *registry_);
    stats_ = std::make_unique<VmStatsSampler>(*state_, *registry_, ctx.events());
    if (state_->log)
      state_->log->info("vm: {} VMs loaded from {}", state_->catalog.vm_count(), state_->store->path().string());
  }

  // adopt what an earlier daemon left running, then start the autostart VMs.
  void start(PluginContext&) override {
    life_->attach_all();
    life_->autostart_in_background();
    stats_->start();
  }

  // VMs keep running unless [vm] stop_vms_on_shutdown says otherwise.
  void stop() override {
    if (stats_) stats_->stop();
    if (life_) life_->shutdown(stop_vms_on_shutdown_);
  }

 private:
  static hypervisor::qemu::AcceleratorMode accelerator_mode(const Config& config) {
    const auto text = config.get_or("vm", "accelerator", "auto");
    auto mode = hypervisor::qemu::parse_accelerator_mode(text);
    if (!mode) throw std::runtime_error("[vm] accelerator: expected auto, kvm or tcg, got '" + text + "'");
    return *mode;
  }

  // [vm] serial_log_max_size: where a VM's serial console log rotates (etc/middlewared.conf).
  static std::uint64_t serial_log_max_size(const Config& config) {
    const auto text = config.get_or("vm", "serial_log_max_size", "10M");
    auto bytes = parse_byte_size(text);
    if (!bytes)
      throw std::runtime_error("[vm] serial_log_max_size: expected a size such as 10M, 512K or 1048576, got '" + text +
                               "'");
    return *bytes;
  }

  static std::shared_ptr<hypervisor::Hypervisor> make_qemu(const std::filesystem::path& state_dir,
                                                           hypervisor::qemu::AcceleratorMode accelerator,
                                                           std::uint64_t serial_log_max_size) {
    hypervisor::qemu::QemuHypervisorOptions options;
    options.state_root = (state_dir / "vm").string();
    options.log_dir = (state_dir / "logs").string();  // serial console logs
    options.serial_log_max_size = serial_log_max_size;
    options.facts = hypervisor::qemu::probe_host(accelerator);
    // Said once, at start: the one place an admin learns why guests run slowly (TCG) or not at all.
    if (options.facts.accelerator_refusal.empty())
      spdlog::info("vm: accelerator {}: {}", options.facts.kvm_usable ? "kvm" : "tcg",
                   options.facts.accelerator_reason);
    else
      spdlog::warn("vm: {}; vm.start will refuse every VM", options.facts.accelerator_refusal);
    return std::make_shared<hypervisor::qemu::QemuHypervisor>(std::move(options));
  }

  VmPluginDeps deps_;
  std::shared_ptr<hypervisor::Hypervisor> hypervisor_;
  std::shared_ptr<RuntimeRegistry> registry_;
  bool stop_vms_on_shutdown_ = false;
  std::unique_ptr<VmState> state_;
  std::unique_ptr<VmService> vms_;
  std::unique_ptr<DeviceService> devices_;
  std::unique_ptr<Choices> choices_;
  std::unique_ptr<DeviceConverter> converter_;
  std::unique_ptr<console::ConsoleService> console_;
  std::unique_ptr<VmStatsSampler> stats_;
  std::unique_ptr<LifecycleService> life_;  // last: its threads use everything above
};

}  // namespace

std::unique_ptr<mw::Plugin> make_vm_plugin() { return make_vm_plugin(VmPluginDeps{}); }

std::vector<mw::SettingFlag> vm_setting_flags() {
  return {{"--accelerator", "vm", "accelerator", "auto, kvm or tcg: what VMs run on (overrides [vm] accelerator)"}};
}
std::unique_ptr<mw::Plugin> make_vm_plugin(VmPluginDeps deps) { return std::make_unique<VmPlugin>(std::move(deps)); }

}  // namespace mw::vm
