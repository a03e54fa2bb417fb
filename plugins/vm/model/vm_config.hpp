#pragma once
// A VM's stored configuration, typed. Converted at the edges only: from validated params
// (vm_from_json), from SQLite rows (repository), to the wire (to_json). The member initialisers
// are vm.create's defaults (schemas/vm/create.params.json, which fills them into validated params)
// for calls that bring no params schema along and typed fixtures; a unit test holds them equal.
#include <cstdint>
#include <optional>
#include <string>

#include <middlewared/json.hpp>

namespace mw::vm {

struct VmConfig {
  static constexpr bool is_record = true;

  std::int64_t id = 0;
  std::string name;
  std::string description;
  std::int64_t vcpus = 1;
  std::int64_t cores = 1;
  std::int64_t threads = 1;
  std::string cpu_mode = "CUSTOM";
  std::optional<std::string> cpu_model;
  std::optional<std::string> cpuset;
  std::optional<std::string> nodeset;
  bool pin_vcpus = false;
  bool enable_cpu_topology_extension = false;
  std::int64_t memory = 0;
  std::optional<std::int64_t> min_memory;
  bool hyperv_enlightenments = false;
  std::string bootloader = "UEFI";
  std::optional<std::string> bootloader_ovmf;
  bool enable_secure_boot = false;
  bool trusted_platform_module = false;
  bool autostart = true;
  bool hide_from_msr = false;
  bool ensure_display_device = true;
  std::string time = "LOCAL";
  std::int64_t shutdown_timeout = 90;
  std::optional<std::string> arch_type;
  std::optional<std::string> machine_type;
  std::string command_line_args;
  bool suspend_on_snapshot = true;
  std::optional<std::string> uuid;

  // Every stored field except `id`, in column order (the SQL columns have these names).
  template <class F>
  static void fields(F&& f) {
    f("name", &VmConfig::name);
    f("description", &VmConfig::description);
    f("vcpus", &VmConfig::vcpus);
    f("cores", &VmConfig::cores);
    f("threads", &VmConfig::threads);
    f("cpu_mode", &VmConfig::cpu_mode);
    f("cpu_model", &VmConfig::cpu_model);
    f("cpuset", &VmConfig::cpuset);
    f("nodeset", &VmConfig::nodeset);
    f("pin_vcpus", &VmConfig::pin_vcpus);
    f("enable_cpu_topology_extension", &VmConfig::enable_cpu_topology_extension);
    f("memory", &VmConfig::memory);
    f("min_memory", &VmConfig::min_memory);
    f("hyperv_enlightenments", &VmConfig::hyperv_enlightenments);
    f("bootloader", &VmConfig::bootloader);
    f("bootloader_ovmf", &VmConfig::bootloader_ovmf);
    f("enable_secure_boot", &VmConfig::enable_secure_boot);
    f("trusted_platform_module", &VmConfig::trusted_platform_module);
    f("autostart", &VmConfig::autostart);
    f("hide_from_msr", &VmConfig::hide_from_msr);
    f("ensure_display_device", &VmConfig::ensure_display_device);
    f("time", &VmConfig::time);
    f("shutdown_timeout", &VmConfig::shutdown_timeout);
    f("arch_type", &VmConfig::arch_type);
    f("machine_type", &VmConfig::machine_type);
    f("command_line_args", &VmConfig::command_line_args);
    f("suspend_on_snapshot", &VmConfig::suspend_on_snapshot);
    f("uuid", &VmConfig::uuid);
  }

  // "<id>_<name>": the libvirt domain name, used for the console and state files.
  std::string label() const { return std::to_string(id) + "_" + name; }
  bool operator==(const VmConfig&) const = default;
};

// Firmware vm.create picks when bootloader_ovmf is null.
inline constexpr const char* kDefaultOvmf = "OVMF_CODE_4M.fd";
inline constexpr const char* kDefaultSecureOvmf = "OVMF_CODE_4M.secboot.fd";
inline constexpr const char* kDefaultAavmf = "AAVMF_CODE.fd";
inline constexpr const char* kDefaultSecureAavmf = "AAVMF_CODE.ms.fd";

// {"id", then the stored fields in column order}.
json::object to_json(const VmConfig& vm);
// Absent or mistyped fields keep their defaults.
VmConfig vm_from_json(const json::object& fields);

}  // namespace mw::vm
