#include "vm_fields.hpp"

namespace mw::vm {

const std::vector<VmField>& vm_fields() {
  using K = VmField::Kind;
  static const std::vector<VmField> fields = {
      {"name", K::Text, nullptr},
      {"description", K::Text, ""},
      {"vcpus", K::Int, 1},
      {"cores", K::Int, 1},
      {"threads", K::Int, 1},
      {"cpu_mode", K::Text, "CUSTOM"},
      {"cpu_model", K::NullableText, nullptr},
      {"cpuset", K::NullableText, nullptr},
      {"nodeset", K::NullableText, nullptr},
      {"pin_vcpus", K::Bool, false},
      {"enable_cpu_topology_extension", K::Bool, false},
      {"memory", K::Int, nullptr},
      {"min_memory", K::NullableInt, nullptr},
      {"hyperv_enlightenments", K::Bool, false},
      {"bootloader", K::Text, "UEFI"},
      {"bootloader_ovmf", K::NullableText, nullptr},
      {"enable_secure_boot", K::Bool, false},
      {"trusted_platform_module", K::Bool, false},
      {"autostart", K::Bool, true},
      {"hide_from_msr", K::Bool, false},
      {"ensure_display_device", K::Bool, true},
      {"time", K::Text, "LOCAL"},
      {"shutdown_timeout", K::Int, 90},
      {"arch_type", K::NullableText, nullptr},
      {"machine_type", K::NullableText, nullptr},
      {"command_line_args", K::Text, ""},
      {"suspend_on_snapshot", K::Bool, true},
      {"uuid", K::NullableText, nullptr},
  };
  return fields;
}

json::object with_create_defaults(const json::object& input) {
  json::object out = input;
  for (const auto& f : vm_fields())
    if (!out.contains(f.name)) out[f.name] = f.create_default;
  return out;
}

}  // namespace mw::vm
