// USB to QEMU: host passthrough (by vendor/product or by bus/address) on a controller of the
// chosen type, one controller per type.
#include <cstdio>

#include "qemu_devices.hpp"

namespace mw::vm::hypervisor::qemu {
namespace {

const char* usb_controller_device(const std::string& type) {
  for (const auto& c : kUsbControllerTypes)
    if (c.type == type) return c.qemu_device.data();
  return nullptr;
}

}  // namespace

void UsbQemuDevice::arguments(const DeviceConfig& dev, const UsbAttributes& a, QemuDeviceArgs& args) const {
  const auto id = std::to_string(dev.id);
  const auto& type = a.controller_type;
  const auto& available = args.facts().usb_controllers;
  const char* controller = usb_controller_device(type);
  if (!controller || (!available.empty() && !available.contains(controller))) {
    throw CommandLineError("USB controller '" + type + "' is not available in this QEMU");
  }
  std::string host = "usb-host,bus=" + args.usb_bus(type, controller) + ".0,id=usb" + id;
  if (a.usb) {
    host += ",vendorid=" + a.usb->vendor_id + ",productid=" + a.usb->product_id;
  } else if (const auto& name = a.device) {
    // libvirt node-device names: usb_<bus>_<address>
    unsigned bus = 0, address = 0;
    char tail = 0;
    if (std::sscanf(name->c_str(), "usb_%u_%u%c", &bus, &address, &tail) != 2) {
      throw CommandLineError("USB device name '" + *name + "' is not of the form usb_<bus>_<address>");
    }
    host += ",hostbus=" + std::to_string(bus) + ",hostaddr=" + std::to_string(address);
  } else {
    throw CommandLineError("USB device " + id + " names no host device");
  }
  args.add("-device", host);
}

}  // namespace mw::vm::hypervisor::qemu
