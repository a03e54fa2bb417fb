#include "vm_validation.hpp"

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <initializer_list>
#include <random>

#include "catalog.hpp"
#include "host_info.hpp"
#include "model/device_config.hpp"
#include "model/vm_config.hpp"
#include "text_utils.hpp"

#include <mw/util/python.hpp>
#include <mw/util/random.hpp>

#include <boost/json/value_from.hpp>

namespace mw::vm {
namespace {

std::optional<std::string> str(const json::object& o, const char* key) {
  auto it = o.find(key);
  if (it == o.end() || !it->value().is_string()) return std::nullopt;
  return std::string(it->value().as_string());
}
// TrueNAS tests these fields for truth, so "" means the same as null there.
std::optional<std::string> non_empty(const json::object& o, const char* key) {
  auto s = str(o, key);
  return s && s->empty() ? std::nullopt : s;
}
bool flag(const json::object& o, const char* key) {
  auto it = o.find(key);
  return it != o.end() && it->value().is_bool() && it->value().as_bool();
}
// A count from the request, saturated: uint64 and huge doubles (the schema takes 1e300 as an
// integer) count as "more than anything", so that products cannot wrap.
std::uint64_t count(const json::object& o, const char* key) {
  auto it = o.find(key);
  if (it == o.end()) return 1;
  const auto& v = it->value();
  if (v.is_int64()) return v.as_int64() > 0 ? static_cast<std::uint64_t>(v.as_int64()) : 0;
  return UINT64_MAX;
}

std::uint64_t saturating_product(std::initializer_list<std::uint64_t> factors) {
  std::uint64_t out = 1;
  for (auto f : factors)
    if (__builtin_mul_overflow(out, f, &out)) return UINT64_MAX;
  return out;
}
bool contains(const std::vector<std::string>& v, const std::string& x) {
  return std::find(v.begin(), v.end(), x) != v.end();
}

}  // namespace

bool valid_vm_name(const std::string& name) {
  return !name.empty() &&
         std::all_of(name.begin(), name.end(), [](unsigned char c) { return std::isalnum(c) || c == '_' || c == '-'; });
}

bool valid_uuid(const std::string& t) { return util::is_uuid(t); }

std::string new_uuid4() { return util::uuid4(); }

void check_uuid(const json::object& data, const std::string& schema) {
  if (auto u = str(data, "uuid"); u && !valid_uuid(*u))
    throw ValidationErrors(schema + ".uuid", "Value error, UUID is not valid version 4");
}

void validate_vm(VmValidationInput in, ValidationErrors& errors) {
  json::object& d = in.data;
  const std::string& s = in.schema;
  const bool creating = in.old == nullptr;
  const std::string host_arch = in.host.host_arch();

  // Memory limits: the balloon floor cannot exceed the size the guest boots with.
  if (d.at("min_memory").is_int64() && d.at("min_memory").as_int64() > d.at("memory").as_int64())
    errors.add(s + ".min_memory", "Minimum memory should not be greater than defined/maximum memory");
  // command_line_args reach QEMU as root, split the way TrueNAS splits them (shlex).
  const auto qemu_args = str(d, "command_line_args").value_or("");
  try {
    util::shlex_split(qemu_args);
  } catch (const std::invalid_argument& e) {
    errors.add(s + ".command_line_args", std::string("Parse error: ") + e.what());
  }
  if (!in.may_set_qemu_args && !qemu_args.empty() &&
      (creating || str(*in.old, "command_line_args").value_or("") != qemu_args))
    errors.add(s + ".command_line_args",
               "Only a full administrator (FULL_ADMIN) may set command_line_args: QEMU runs them as root", EPERM);
  // vCPU topology: TCG counts as supported virtualization (no KVM on build/CI hosts), so only
  // the 255 cap.
  const auto vcpu_product = saturating_product({count(d, "vcpus"), count(d, "cores"), count(d, "threads")});
  if (vcpu_product > 255)
    errors.add(s + ".vcpus", "Maximum 255 vcpus are supported.Please ensure the product of \"" + s + ".vcpus\", \"" +
                                 s + ".cores\" and \"" + s + ".threads\" is less than 255.");
  // Architecture and machine type: only what this host's QEMU offers.
  auto arch = str(d, "arch_type");
  auto machine = str(d, "machine_type");
  // Copied out of the host only when there is something to check against it.
  const auto machines = arch || machine ? in.host.machine_types() : decltype(in.host.machine_types()){};
  if (arch && !machines.contains(*arch)) {
    errors.add(s + ".arch_type", "Specified architecture type is not supported on this system");
  } else if (machine) {
    if (!arch)
      errors.add(s + ".arch_type", "Must be specified when \"" + s + ".machine_type\" is set");
    else if (!contains(machines.at(*arch), *machine))
      errors.add(s + ".machine_type", "Specified machine type is not supported for " +
                                          util::python_repr(json::value_from(machines.at(*arch))) +
                                          " architecture type");
  }
  // Settings that exist only on x86 guests.
  const std::string guest_arch = arch.value_or(host_arch);
  if (guest_arch == "aarch64") {
    if (str(d, "bootloader") == "UEFI_CSM")
      errors.add(s + ".bootloader", "UEFI_CSM (legacy BIOS) is x86-only and not supported for aarch64 guests");
    if (flag(d, "hyperv_enlightenments"))
      errors.add(s + ".hyperv_enlightenments",
                 "Hyper-V enlightenments are x86-only and not supported for aarch64 guests");
    if (flag(d, "hide_from_msr"))
      errors.add(s + ".hide_from_msr", "hide_from_msr is x86-specific and not supported for aarch64 guests");
  }
  // Host CPU modes need the host's own architecture.
  auto mode = str(d, "cpu_mode").value_or("CUSTOM");
  if ((mode == "HOST-PASSTHROUGH" || mode == "HOST-MODEL") && arch && *arch != host_arch &&
      !(host_arch == "x86_64" && (*arch == "i686" || *arch == "i386")))
    errors.add(s + ".cpu_mode", mode + " requires the guest architecture ('" + *arch + "') to match the host ('" +
                                    host_arch +
                                    "'). Use CUSTOM with an explicit cpu_model for cross-architecture emulation.");
  // A CPU model only with CUSTOM mode, and one the guest architecture has.
  if (auto model = non_empty(d, "cpu_model")) {
    if (mode != "CUSTOM")
      errors.add(s + ".cpu_model", "This attribute should not be specified when \"cpu_mode\" is not \"CUSTOM\".");
    else if (!contains(in.host.cpu_models(guest_arch), *model))
      errors.add(s + ".cpu_model", "Please select a valid CPU model.");
  }
  // Names are unique and alphanumeric.
  std::string name = str(d, "name").value_or("");
  if (creating || str(*in.old, "name") != name) {
    if (in.catalog.vm_id_by_name(name) || (in.uncommitted_names && in.uncommitted_names->contains(name)))
      errors.add(s + ".name", "This name already exists.", EEXIST);
    else if (!valid_vm_name(name))
      errors.add(s + ".name", "Only alphanumeric characters are allowed.");
  }
  // CPU and NUMA node sets, and pinning that needs one CPU per vCPU.
  auto cpuset = non_empty(d, "cpuset");
  if (cpuset && !util::parse_cpuset(*cpuset)) errors.add(s + ".cpuset", "Value error, Invalid CPU set");
  if (auto nodeset = non_empty(d, "nodeset"); nodeset && !util::parse_cpuset(*nodeset))
    errors.add(s + ".nodeset", "Value error, Invalid node set");
  if (flag(d, "pin_vcpus")) {
    if (!cpuset)
      errors.add(s + ".cpuset", "Must be specified when \"" + s + ".pin_vcpus\" is set.");
    else if (auto cpus = util::parse_cpuset(*cpuset); cpus && cpus->size() != vcpu_product)
      errors.add(s + ".pin_vcpus",
                 "Number of cpus in \"" + s + ".cpuset\" must be equal to total number vcpus if pinning is enabled.");
  }
  if (!creating) return;
  // Secure boot on create: a machine type and firmware that can do it, filled in when not given.
  bool aarch64 = guest_arch == "aarch64";
  if (flag(d, "enable_secure_boot")) {
    if (!arch && !machine) {
      d["arch_type"] = "x86_64";
      aarch64 = false;
    }
    if (!machine) d["machine_type"] = aarch64 ? "virt-9.2" : "pc-q35-6.2";
    std::string m(d.at("machine_type").as_string());
    if (!aarch64 && m.find("q35") == std::string::npos)
      errors.add("vm_create.machine_type", "Secure boot is only available in q35 machine type");
    if (aarch64 && m.rfind("virt", 0) != 0)
      errors.add("vm_create.machine_type", "aarch64 secure boot requires a virt machine type");
    if (!str(d, "bootloader_ovmf")) d["bootloader_ovmf"] = aarch64 ? kDefaultSecureAavmf : kDefaultSecureOvmf;
    if (!is_secure_firmware(d.at("bootloader_ovmf").as_string()))
      errors.add("vm_create.bootloader_ovmf", std::string("Select a bootloader_ovmf that supports secure boot i.e ") +
                                                  (aarch64 ? kDefaultSecureAavmf : kDefaultSecureOvmf));
  }
  if (!str(d, "bootloader_ovmf")) d["bootloader_ovmf"] = aarch64 ? kDefaultAavmf : kDefaultOvmf;
  // The firmware must be a file this host has.
  if (!in.host.has_firmware_file(aarch64 ? "AAVMF" : "OVMF", d.at("bootloader_ovmf").as_string()))
    errors.add("vm_create.bootloader_ovmf", "Invalid bootloader ovmf choice specified");
}

}  // namespace mw::vm
