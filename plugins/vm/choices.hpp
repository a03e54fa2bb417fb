#pragma once
// The informational vm.* and vm.device.* helpers, all asked of the host.
#include <string>

#include <middlewared/json.hpp>

#include "vm_state.hpp"

namespace mw::vm {

class Choices {
 public:
  explicit Choices(VmState& state) : state_(state) {}

  json::object port_wizard() const;
  json::object bootloader_options() const;
  json::object firmware_choices(const std::string& family) const;  // "OVMF" / "AAVMF"
  json::object cpu_model_choices(const std::string& arch) const;
  json::object guest_architecture_and_machine_choices() const;
  json::object resolution_choices() const;
  json::object virtualization_details() const;
  bool supports_virtualization() const;
  json::object flags() const;

  json::object bind_choices() const;
  json::object nic_attach_choices() const;
  json::object iotype_choices() const;
  json::object usb_controller_choices() const;
  json::object usb_passthrough_choices() const;
  json::object passthrough_device_choices() const;
  json::object passthrough_device(const std::string& device) const;
  bool iommu_enabled() const;
  json::object disk_choices() const;
  // `data`: a device id (its DISK/RAW/CDROM image) or {"path": ...}.
  int64_t virtual_size(const json::value& data) const;

 private:
  VmState& state_;
};

}  // namespace mw::vm
