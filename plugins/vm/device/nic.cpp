// NIC: bridge (tap) or macvtap attachment, MAC generated when not given.
#include <algorithm>

#include "../host_info.hpp"
#include "../random_ids.hpp"
#include "kinds.hpp"

namespace mw::vm {

const std::vector<FieldSpec>& NicKind::fields() const {
  using T = FieldSpec::Type;
  static const std::vector<FieldSpec> f = {
      {.name = "type", .type = T::String, .default_value = "E1000", .literals = {"E1000", "VIRTIO"}},
      {.name = "nic_attach", .type = T::String, .nullable = true},
      {.name = "mac",
       .type = T::String,
       .nullable = true,
       .assert_fn = [](const json::value& v) { return is_valid_mac(std::string(v.as_string())); },
       .assertion = "MAC address must be a colon-separated hexadecimal value (e.g. 00:a0:99:7e:bb:8a)."},
      {.name = "trust_guest_rx_filters", .type = T::Bool, .default_value = false},
      {.name = "pci_address",
       .type = T::Object,
       .nullable = true,
       .children = {{.name = "domain", .type = T::Int, .default_value = 0, .min = 0, .max = 0},
                    {.name = "bus", .type = T::Int, .required = true, .min = 1, .max = 255},
                    {.name = "slot", .type = T::Int, .required = true, .min = 0, .max = 31},
                    {.name = "function", .type = T::Int, .default_value = 0, .min = 0, .max = 7}}},
  };
  return f;
}

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
      errors.add("attributes.trust_guest_rx_filters", "This can only be set when \"nic_attach\" is not a bridge device");
    if (attrs.type == "E1000")
      errors.add("attributes.trust_guest_rx_filters", "This can only be set when \"type\" of NIC device is \"VIRTIO\"");
  }
}

}  // namespace mw::vm
