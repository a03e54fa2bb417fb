// PCI: host device passthrough (needs an IOMMU).
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

const std::vector<FieldSpec>& PciKind::fields() const {
  static const std::vector<FieldSpec> f = {
      {.name = "pptdev", .type = FieldSpec::Type::String, .required = true},
  };
  return f;
}

void PciKind::validate(json::object& attrs, const DeviceContext& ctx, ValidationErrors& errors) const {
  std::string pptdev(attrs.at("pptdev").as_string());
  auto devices = ctx.host.pci_devices();
  auto it = devices.find(libvirt_name(pptdev));
  if (it == devices.end()) {
    errors.add("attributes.pptdev", "Not a valid choice. The PCI device " + pptdev + " not found");
  } else {
    const auto& info = it->value().as_object();
    if (info.at("critical").as_bool())
      errors.add("attributes.pptdev", std::string(info.at("error").as_string()));
    else if (!info.at("available").as_bool())
      errors.add("attributes.pptdev", "Not a valid choice. The PCI device is not available: " +
                                          std::string(info.at("error").is_string() ? info.at("error").as_string() : ""));
  }
  if (!ctx.host.iommu_enabled()) errors.add("attributes.pptdev", "IOMMU support is required.");
  if (ctx.old && string_attr(ctx.old->attributes, "pptdev") != pptdev && ctx.runtime.active(ctx.vm_id()))
    errors.add("attribute.pptdev", "Changing PCI device is not allowed while the VM is active.");  // sic (6.7)
  for (const auto& d : ctx.siblings())
    if (d.dtype() == "PCI" && libvirt_name(string_attr(d.attributes, "pptdev").value_or("")) == libvirt_name(pptdev))
      errors.add("attributes.pptdev", ctx.vm_name() + " already has PCI device '" + pptdev + "' configured");
}

}  // namespace mw::vm
