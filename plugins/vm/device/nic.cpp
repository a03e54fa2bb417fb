// NIC: bridge (tap) or macvtap attachment, MAC generated when not given.
// Its QEMU side (arguments, host preparation): hypervisor/qemu/devices/nic.cpp.
#include <algorithm>

#include "../host_info.hpp"
#include "../random_ids.hpp"
#include "kinds.hpp"

namespace mw::vm {

void NicKind::check(NicAttributes& attrs, const DeviceContext& ctx, ValidationErrors& errors) const {
  std::string value = attrs.mac ? lowercase(*attrs.mac) : random_mac();
  attrs.mac = value;
  if (value.rfind("ff", 0) == 0) errors.add("attributes.mac", "MAC address must not start with `ff`");
  for (const auto& d : ctx.siblings())
    if (auto* nic = d.get<NicAttributes>(); nic && lowercase(nic->mac.value_or("")) == value)
      errors.add("attributes.mac", ctx.vm_name() + " already has a NIC with MAC address '" + value + "' configured");

  bool bridge = false;
  if (const auto& attach = attrs.nic_attach) {
    auto bridges = ctx.host.bridge_interfaces();
    auto others = ctx.host.macvlan_interfaces();
    bridge = std::find(bridges.begin(), bridges.end(), *attach) != bridges.end();
    if (!bridge && std::find(others.begin(), others.end(), *attach) == others.end())
      errors.add("attributes.nic_attach", "Not a valid choice.");
  }
  if (attrs.trust_guest_rx_filters) {
    if (bridge)
      errors.add("attributes.trust_guest_rx_filters",
                 "This can only be set when \"nic_attach\" is not a bridge device");
    if (attrs.type == "E1000")
      errors.add("attributes.trust_guest_rx_filters", "This can only be set when \"type\" of NIC device is \"VIRTIO\"");
  }
}

}  // namespace mw::vm
