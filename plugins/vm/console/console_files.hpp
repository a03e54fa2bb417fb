#pragma once
// Where a VM's console endpoints live: the serial console socket and its log, and the VNC and
// SPICE unix sockets of a display without a TCP port. The hypervisor decides; the console only reads.
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include <middlewared/json.hpp>

#include "model/vm_config.hpp"

namespace mw::vm::hypervisor {
class Hypervisor;
}

namespace mw::vm::console {

struct ConsoleFiles {
  std::string serial_socket;
  std::string serial_log;
  std::string vnc_socket;
  std::string spice_socket;
};

// `vm` is a VM's stored fields (id, name, uuid, ...); nullopt when the hypervisor has no files.
using ConsoleFilesFn = std::function<std::optional<ConsoleFiles>(const VmConfig& vm)>;

// The files of the QEMU hypervisor (QemuHypervisor::paths_for); nullopt for any other hypervisor.
ConsoleFilesFn files_of(std::shared_ptr<hypervisor::Hypervisor> hypervisor);

}  // namespace mw::vm::console
