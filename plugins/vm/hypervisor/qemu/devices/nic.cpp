// NIC to QEMU: user-mode networking when no host interface is chosen, else a tap that QEMU
// creates (as root) and we add to the chosen bridge once QEMU runs (tap.hpp).
#include "../tap.hpp"
#include "hypervisor/hypervisor.hpp"
#include "qemu_devices.hpp"

namespace mw::vm::hypervisor::qemu {

void NicQemuDevice::prepare(const DeviceConfig& d, const NicAttributes& a, HostPreparation& host) const {
  if (!a.nic_attach || a.nic_attach->empty()) return;
  const auto& bridge = *a.nic_attach;
  if (!is_bridge(bridge)) {
    throw HypervisorError("NIC attachment to '" + bridge + "' is not supported: only bridges are");
  }
  const auto tap = tap_name(d.id);
  host.facts.tap_names[d.id] = tap;
  host.once_running.push_back([tap, bridge] { attach_tap_to_bridge(tap, bridge); });
}

void NicQemuDevice::arguments(const DeviceConfig& dev, const NicAttributes& a, QemuDeviceArgs& args) const {
  const auto id = std::to_string(dev.id);
  const auto& attach = a.nic_attach;
  const auto& facts = args.facts();
  if (!attach || attach->empty()) {
    // No host interface chosen: user-mode networking, so a VM has a working NIC out of the box.
    args.add("-netdev", "user,id=net" + id);
  } else {
    auto tap = facts.tap_names.find(dev.id);
    if (tap == facts.tap_names.end()) {
      throw CommandLineError("NIC " + id + ": no tap interface was prepared for '" + *attach + "'");
    }
    std::string netdev = "tap,id=net" + id + ",ifname=" + esc(tap->second) + ",script=no,downscript=no";
    if (facts.vhost_net) netdev += ",vhost=on";  // vhost=on aborts QEMU 7.2 without /dev/vhost-net
    args.add("-netdev", netdev);
  }
  const auto model = a.type == "VIRTIO" ? "virtio-net-pci" : "e1000";
  std::string device = std::string(model) + ",netdev=net" + id + ",id=nic" + id;
  if (const auto& mac = a.mac; mac && !mac->empty()) device += ",mac=" + *mac;
  args.add("-device", device);
}

}  // namespace mw::vm::hypervisor::qemu
