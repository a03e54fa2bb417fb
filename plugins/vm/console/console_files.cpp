#include "console/console_files.hpp"

#include "hypervisor/qemu/qemu_hypervisor.hpp"

namespace mw::vm::console {

ConsoleFilesFn files_of(std::shared_ptr<hypervisor::Hypervisor> hv) {
  return [hv = std::move(hv)](const VmConfig& vm) -> std::optional<ConsoleFiles> {
    auto* qemu = dynamic_cast<hypervisor::qemu::QemuHypervisor*>(hv.get());
    if (!qemu) return std::nullopt;
    try {
      auto paths = qemu->paths_for(vm);
      // The SPICE socket is where the command line puts it: spice.sock in the VM's state directory.
      return ConsoleFiles{paths.serial_socket, paths.serial_log, paths.vnc_socket, paths.dir + "/spice.sock"};
    } catch (const hypervisor::HypervisorError&) {
      return std::nullopt;  // no uuid, or a state directory too long for a socket path
    }
  };
}

}  // namespace mw::vm::console
