#pragma once
// The "vm" plugin: one plugin object registering vm.* and vm.device.* (methods, events, roles),
// since both share one database and one in-memory view. register_all.cpp calls make_vm_plugin().
#include <memory>
#include <vector>

#include <middlewared/config.hpp>
#include <middlewared/plugin.hpp>

namespace mw::vm {

namespace hypervisor {
class Hypervisor;
}
class HostInfo;
class VmRuntimeStatus;

struct VmPluginDeps {
  std::shared_ptr<HostInfo> host;                      // null: the real host (LinuxHost)
  std::shared_ptr<VmRuntimeStatus> runtime;            // null: the lifecycle registry's real state
  std::shared_ptr<hypervisor::Hypervisor> hypervisor;  // null: QEMU under <state>/vm
};

std::unique_ptr<mw::Plugin> make_vm_plugin();
// The daemon's flags for [vm] settings (--accelerator).
std::vector<mw::SettingFlag> vm_setting_flags();
std::unique_ptr<mw::Plugin> make_vm_plugin(VmPluginDeps deps);

}  // namespace mw::vm
