// USB: host device passthrough by name or by vendor/product id, on a chosen controller.
// Its QEMU side (arguments, host preparation): hypervisor/qemu/devices/usb.cpp.
#include "../host_info.hpp"
#include "../random_ids.hpp"
#include "kinds.hpp"

namespace mw::vm {

void UsbKind::check(UsbAttributes& attrs, const DeviceContext& ctx, ValidationErrors& errors) const {
  const auto& device = attrs.device;
  const auto& usb = attrs.usb;
  if (device && usb) {
    errors.add("attributes.device", "Either device must be specified or USB details but not both");
    return;
  }
  if (!device && !usb) {
    errors.add("attributes.usb", "Either device or product_id and vendor_id  must be specified");
    return;
  }
  auto host_devices = ctx.host.usb_devices();
  if (device) {
    if (!host_devices.contains(*device)) errors.add("attributes.device", "No USB device found with name " + *device);
  } else {
    const std::string &vendor = usb->vendor_id, &product = usb->product_id;
    bool found = false;
    for (const auto& kv : host_devices) {
      const auto& cap = kv.value().as_object().at("capability").as_object();
      if (!cap.at("vendor_id").is_string() || !cap.at("product_id").is_string()) continue;
      found = found || (lowercase(std::string(cap.at("vendor_id").as_string())) == lowercase(vendor) &&
                        lowercase(std::string(cap.at("product_id").as_string())) == lowercase(product));
    }
    if (!found)
      errors.add("attributes.usb", "No USB device found with Vendor ID " + vendor + " and Product ID " + product);
  }
  for (const auto& d : ctx.siblings()) {
    auto* other = d.get<UsbAttributes>();
    if (!other) continue;
    bool same = device ? other->device == device : other->usb == usb;
    if (same)
      errors.add(device ? "attributes.device" : "attributes.usb",
                 ctx.vm_name() + " already has this USB device configured");
  }
}

}  // namespace mw::vm
