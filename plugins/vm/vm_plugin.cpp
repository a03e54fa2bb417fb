#include "vm_plugin.hpp"

#include <spdlog/spdlog.h>

#include <filesystem>

#include "choices.hpp"
#include "device_service.hpp"
#include "linux_host.hpp"
#include "method_tables.hpp"
#include "runtime_status.hpp"
#include "vm_service.hpp"

namespace mw::vm::migrations {
const std::vector<mw::EmbeddedFile>& embedded_files();
}

namespace mw::vm {
namespace {

class VmPlugin final : public Plugin {
 public:
  explicit VmPlugin(VmPluginDeps deps) : deps_(std::move(deps)) {}

  std::string name() const override { return "vm"; }

  void setup(PluginContext& ctx) override {
    ctx.add_role({"VM_READ", {}, true});
    ctx.add_role({"VM_WRITE", {"VM_READ"}, false});
    ctx.add_role({"VM_DEVICE_READ", {"VM_READ"}, true});
    ctx.add_role({"VM_DEVICE_WRITE", {"VM_WRITE", "VM_DEVICE_READ"}, false});
    ctx.add_event({kVmEvent, "Virtual machines: added, changed (configuration or state), removed.", {"VM_READ"}, {"VM_WRITE"}});
    ctx.add_event({kDeviceEvent, "Virtual machine devices: added, changed, removed.", {"VM_DEVICE_READ"}, {"VM_DEVICE_WRITE"}});

    const auto& state_dir = ctx.config().state_dir();
    std::filesystem::path images = state_dir / "images";
    std::filesystem::create_directories(images);
    std::vector<std::filesystem::path> roots;
    for (const auto& r : ctx.config().get_list("vm", "storage_roots", {"/mnt", images.string()})) roots.emplace_back(r);

    auto store = ctx.open_datastore("vm", migrations_from_files(migrations::embedded_files()));
    auto host = deps_.host ? deps_.host : std::make_shared<LinuxHost>();
    auto runtime = deps_.runtime ? deps_.runtime : std::make_shared<NeverStartedRuntime>();
    state_ = std::make_unique<VmState>(std::move(store), std::move(host), std::move(runtime), &ctx.events(),
                                       StorageRoots(std::move(roots)), ctx.logger("vm"));
    state_->load();
    vms_ = std::make_unique<VmService>(*state_);
    devices_ = std::make_unique<DeviceService>(*state_);
    choices_ = std::make_unique<Choices>(*state_);
    register_vm_methods(ctx, *vms_, *choices_);
    register_device_methods(ctx, *devices_, *choices_);
    if (state_->log)
      state_->log->info("vm: {} VMs loaded from {}", state_->catalog.vm_count(), state_->store->path().string());
  }

 private:
  VmPluginDeps deps_;
  std::unique_ptr<VmState> state_;
  std::unique_ptr<VmService> vms_;
  std::unique_ptr<DeviceService> devices_;
  std::unique_ptr<Choices> choices_;
};

}  // namespace

std::unique_ptr<mw::Plugin> make_vm_plugin() { return make_vm_plugin(VmPluginDeps{}); }
std::unique_ptr<mw::Plugin> make_vm_plugin(VmPluginDeps deps) { return std::make_unique<VmPlugin>(std::move(deps)); }

}  // namespace mw::vm
