#pragma once
// VM configuration -> QEMU argument vector. A pure function: everything it needs to know about the
// host comes in HostFacts, so the same input always gives the same argv (golden-tested).
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "model/device_config.hpp"
#include "model/vm_config.hpp"

#include "host_facts.hpp"

namespace mw::vm::hypervisor::qemu {

// Something the host (not the configuration) cannot provide, e.g. SPICE without its module.
class CommandLineError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// A file QEMU reads a secret from; written with mode 0600 before QEMU starts.
struct SecretFile {
  std::string path;
  std::string content;
};

// A display password to set over QMP (set_password) once QEMU runs.
struct DisplayPassword {
  std::string protocol;  // "vnc"
  std::string password;
};

struct QemuCommand {
  std::vector<std::string> argv;  // argv[0] is the QEMU binary
  std::vector<SecretFile> secret_files;
  std::vector<DisplayPassword> display_passwords;
  std::string vars_template;  // UEFI: VARS template to copy to paths.vars_file if missing
  // min_memory: the balloon target (bytes) to set once QEMU runs, as libvirt's currentMemory does.
  std::optional<std::uint64_t> balloon_target;
};

// `devices` in any order (they are put in boot order).
QemuCommand build_command_line(const VmConfig& vm, const std::vector<DeviceConfig>& devices, const HostFacts& facts);

// The VARS template matching an OVMF CODE file (keeps _4M; secboot/ms -> .ms; snakeoil -> snakeoil).
std::string vars_template_for(const std::string& code_file);

}  // namespace mw::vm::hypervisor::qemu
