// PCI: host device passthrough (needs an IOMMU).
// Its QEMU side (arguments, host preparation): hypervisor/qemu/devices/pci.cpp.
#include "../host_info.hpp"
#include "../runtime_status.hpp"
#include "kinds.hpp"

namespace mw::vm {
namespace {

// Accepts both "pci_0000_01_00_0" and "0000:01:00.0".
std::string libvirt_name(std::string id) {
  if (id.rfind("pci_", 0) == 0) return id;
  for (char& c : id)
    if (c == ':' || c == '.') c = '_';
  return "pci_" + id;
}

}  // namespace

void PciKind::check(PciAttributes& attrs, const DeviceContext& ctx, ValidationErrors& errors) const {
  const std::string& pptdev = attrs.pptdev;
  auto devices = ctx.host.pci_devices();
  auto it = devices.find(libvirt_name(pptdev));
  if (it == devices.end()) {
    errors.add("attributes.pptdev", "Not a valid choice. The PCI device " + pptdev + " not found");
  } else {
    const auto& info = it->value().as_object();
    if (info.at("critical").as_bool())
      errors.add("attributes.pptdev", std::string(info.at("error").as_string()));
    else if (!info.at("available").as_bool())
      errors.add("attributes.pptdev",
                 "Not a valid choice. The PCI device is not available: " +
                     std::string(info.at("error").is_string() ? info.at("error").as_string() : ""));
  }
  if (!ctx.host.iommu_enabled()) errors.add("attributes.pptdev", "IOMMU support is required.");
  if (auto* old = ctx.old_attributes<PciAttributes>(); old && old->pptdev != pptdev && ctx.runtime.active(ctx.vm_id()))
    errors.add("attribute.pptdev", "Changing PCI device is not allowed while the VM is active.");  // sic (6.7)
  for (const auto& d : ctx.siblings())
    if (auto* pci = d.get<PciAttributes>(); pci && libvirt_name(pci->pptdev) == libvirt_name(pptdev))
      errors.add("attributes.pptdev", ctx.vm_name() + " already has PCI device '" + pptdev + "' configured");
}

}  // namespace mw::vm
