#include "choices.hpp"

#include <sys/stat.h>

#include <middlewared/errors.hpp>

#include "device/device_kind.hpp"
#include "host_paths.hpp"
#include "ports.hpp"

namespace mw::vm {
namespace {

json::object identity_map(const std::vector<std::string>& items) {
  json::object out;
  for (const auto& i : items) out[i] = i;
  return out;
}

json::array to_array(const std::vector<std::string>& items) {
  json::array out;
  for (const auto& i : items) out.push_back(json::string(i));
  return out;
}

// The string values the schema allows for a device attribute (schemas/vm/common.json).
std::vector<std::string> field_literals(const VmState& state, const char* dtype, const char* field) {
  std::vector<std::string> out;
  const auto& schema = state.schema(std::string("vm/common.json#/definitions/attributes_") + dtype).source();
  for (const auto& l : schema.at("properties").at(field).at("enum").as_array())
    if (l.is_string()) out.emplace_back(l.get_string());
  return out;
}

}  // namespace

json::object Choices::port_wizard() const {
  auto [port, web] = mw::vm::port_wizard(state_.catalog, *state_.host);
  return json::object{{"port", port}, {"web", web}};
}

json::object Choices::bootloader_options() const { return json::object{{"UEFI", "UEFI"}, {"UEFI_CSM", "Legacy BIOS"}}; }

json::object Choices::firmware_choices(const std::string& family) const {
  return identity_map(state_.host->firmware_files(family));
}

json::object Choices::cpu_model_choices(const std::string& arch) const {
  return identity_map(state_.host->cpu_models(arch));
}

json::object Choices::guest_architecture_and_machine_choices() const {
  json::object out;
  for (const auto& [arch, machines] : state_.host->machine_types()) out[arch] = to_array(machines);
  return out;
}

json::object Choices::resolution_choices() const {
  return identity_map(field_literals(state_, "DISPLAY", "resolution"));
}

json::object Choices::virtualization_details() const {
  bool kvm = state_.host->kvm_available();
  return json::object{{"supported", kvm},
                      {"error", kvm ? json::value(nullptr) : json::value("Your CPU does not support KVM extensions")}};
}

bool Choices::supports_virtualization() const { return state_.host->kvm_available(); }

json::object Choices::flags() const { return state_.host->cpu_flags(); }

json::object Choices::bind_choices() const { return identity_map(state_.host->bind_addresses()); }

json::object Choices::nic_attach_choices() const {
  return json::object{{"BRIDGE", to_array(state_.host->bridge_interfaces())},
                      {"MACVLAN", to_array(state_.host->macvlan_interfaces())}};
}

json::object Choices::iotype_choices() const { return identity_map(field_literals(state_, "DISK", "iotype")); }

json::object Choices::usb_controller_choices() const {
  return identity_map(field_literals(state_, "USB", "controller_type"));
}

json::object Choices::usb_passthrough_choices() const { return state_.host->usb_devices(); }

json::object Choices::passthrough_device_choices() const { return state_.host->pci_devices(); }

json::object Choices::passthrough_device(const std::string& device) const {
  auto all = state_.host->pci_devices();
  if (auto it = all.find(device); it != all.end()) return it->value().as_object();
  json::object capability{{"class", nullptr},         {"domain", nullptr},   {"bus", nullptr},
                          {"slot", nullptr},          {"function", nullptr}, {"product", "Not Available"},
                          {"vendor", "Not Available"}};
  return json::object{{"capability", std::move(capability)},
                      {"controller_type", nullptr},
                      {"iommu_group", nullptr},
                      {"available", false},
                      {"drivers", json::array{}},
                      {"error", "Device not found"},
                      {"reset_mechanism_defined", false},
                      {"description", ""},
                      {"critical", false},
                      {"device_path", nullptr}};
}

bool Choices::iommu_enabled() const { return state_.host->iommu_enabled(); }

json::object Choices::disk_choices() const {
  std::set<std::uint64_t> used;
  for (const auto& d : state_.catalog.all_devices())
    if (d.get<DiskAttributes>())
      if (const std::string* p = d.path())
        if (auto check = check_disk_device(*state_.host, *p); check.rdev) used.insert(check.rdev);
  json::object out;
  for (const auto& device : state_.host->block_devices())
    if (device.in_use.empty() && !used.contains(device.rdev)) out[device.path] = device.name;
  return out;
}

int64_t Choices::virtual_size(const json::value& data) const {
  const std::string attribute = "vm.device.virtual_size";
  std::string path;
  bool block_device = false;  // a DISK device's own path: a block device wherever it is
  if (data.is_int64()) {
    auto device = state_.catalog.device(data.as_int64());
    if (!device)
      throw ValidationErrors::single(std::nullopt, "VMDevice " + std::to_string(data.as_int64()) + " does not exist",
                                     ENOENT);
    const std::string* p = device->path();
    if (!p)
      throw ValidationErrors(attribute, "Device " + std::to_string(device->id) + " (" + std::string(device->dtype()) +
                                            ") has no disk image.");
    path = *p;
    block_device = device->get<DiskAttributes>() != nullptr;
  } else {
    path = std::string(data.as_object().at("path").as_string());
    if (path.empty() || path[0] != '/') throw ValidationErrors(attribute, "'" + path + "' must be an absolute path.");
  }
  if (block_device) {
    auto check = check_disk_device(*state_.host, path);
    if (check.problem == DiskProblem::Missing)
      throw ValidationErrors(attribute, "'" + path + "' does not exist", ENOENT);
    if (check.problem == DiskProblem::NotBlockDevice)
      throw ValidationErrors(attribute, "'" + path + "' is not a block device");
  } else {
    // Outside the roots every path gets the same answer, present or not: no probing of the host.
    if (!state_.roots.contains(path)) throw ValidationErrors(attribute, state_.roots.outside_message());
    const std::string real = StorageRoots::resolve(path).string();
    struct stat st {};
    if (::stat(real.c_str(), &st) != 0) throw ValidationErrors(attribute, "'" + path + "' does not exist", ENOENT);
    // A FIFO or a socket would leave qemu-img waiting for a writer that never comes.
    if (!S_ISREG(st.st_mode) && !S_ISBLK(st.st_mode))
      throw ValidationErrors(attribute, "'" + path + "' is not a regular file or a block device");
    path = real;
  }
  std::string error;
  auto info = state_.host->image_info(path, error);
  if (!info) throw CallError(error, EFAULT);
  return info->virtual_size;
}

}  // namespace mw::vm
