// DISPLAY to QEMU: a VNC or SPICE listener per display, then one video device and one absolute
// pointer that every display shows.
#include "qemu_devices.hpp"

namespace mw::vm::hypervisor::qemu {
namespace {

std::string host_address(const std::string& bind) {
  return bind.find(':') != std::string::npos ? "[" + bind + "]" : bind;
}

}  // namespace

void DisplayQemuDevice::arguments(const DeviceConfig& dev, const DisplayAttributes& a, QemuDeviceArgs& args) const {
  const auto id = std::to_string(dev.id);
  const auto& facts = args.facts();
  const auto& type = a.type;
  const auto& bind = a.bind;
  const auto port = a.port.value_or(0);
  const auto& password = a.password;
  if (type == "VNC") {
    std::string vnc =
        port ? host_address(bind) + ":" + std::to_string(port - 5900) : "unix:" + esc(facts.paths.vnc_socket);
    // password=on keeps the display locked until set_password gives it the real password.
    args.add("-vnc", vnc + ",password=on");
    if (password && !password->empty()) args.display_password({"vnc", *password});
    return;
  }
  if (type != "SPICE") throw CommandLineError("Display type '" + type + "' is not supported");
  if (!facts.spice) {
    throw CommandLineError("SPICE display requested but this QEMU has no SPICE support installed");
  }
  std::string spice =
      port ? "port=" + std::to_string(port) + ",addr=" + bind : "unix=on,addr=" + esc(facts.paths.dir + "/spice.sock");
  if (password && !password->empty()) {
    const auto secret_path = facts.paths.dir + "/display" + id + ".secret";
    args.secret_file({secret_path, *password});
    args.add("-object", "secret,id=display" + id + "-secret,file=" + esc(secret_path));
    spice += ",password-secret=display" + id + "-secret";
  } else {
    spice += ",disable-ticketing=on";
  }
  args.add("-spice", spice);
  args.add("-chardev", "spicevmc,id=vdagent" + id + ",name=vdagent");
  args.add("-device", "virtserialport,bus=vser0.0,chardev=vdagent" + id + ",name=com.redhat.spice.0");
}

// One video device per VM: QXL when SPICE is in use, else standard VGA, at the first display's
// resolution.
void DisplayQemuDevice::after_devices(const std::vector<const DeviceConfig*>& devices, QemuDeviceArgs& args) const {
  const DisplayAttributes* first = nullptr;
  bool spice = false;
  for (const DeviceConfig* d : devices) {
    if (auto* a = d->get<DisplayAttributes>()) {
      if (!first) first = a;
      spice = spice || a->type == "SPICE";
    }
  }
  if (!first) {
    if (args.vm().ensure_display_device) args.add("-device", "VGA,id=video0");
    return;
  }
  std::string video = spice ? "qxl-vga,id=video0" : "VGA,id=video0";
  const auto& resolution = first->resolution;
  if (auto x = resolution.find('x'); x != std::string::npos) {
    video += ",xres=" + resolution.substr(0, x) + ",yres=" + resolution.substr(x + 1);
  }
  args.add("-device", video);
  // An absolute pointer so the remote mouse tracks the local one.
  args.add("-device", "qemu-xhci,id=input-usb");
  args.add("-device", "usb-tablet,bus=input-usb.0,id=tablet0");
}

}  // namespace mw::vm::hypervisor::qemu
