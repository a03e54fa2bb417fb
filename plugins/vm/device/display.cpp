// DISPLAY: SPICE or VNC; ports from the port wizard, a password always set.
// Its QEMU side (arguments, host preparation): hypervisor/qemu/devices/display.cpp.
#include <algorithm>

#include "../host_info.hpp"
#include "../ports.hpp"
#include "../random_ids.hpp"
#include "kinds.hpp"

namespace mw::vm {
namespace {

void check_port(const std::optional<int64_t> DisplayAttributes::*member, const char* key,
                const DisplayAttributes& attrs, const DeviceContext& ctx, ValidationErrors& errors) {
  const auto& v = attrs.*member;
  if (!v) return;
  int64_t port = *v;
  std::string attribute = std::string("attributes.") + key;
  if (port < kFirstDisplayPort || port > kLastDisplayPort) {
    errors.add(attribute, "Specified port must be between 5900 and 65535, inclusive");
    return;
  }
  if (auto owner = ctx.catalog.display_port_owner(port); owner && *owner != ctx.device_id) {
    errors.add(attribute,
               "Specified display port(" + std::to_string(port) + ") is already in use by another Display device");
    return;
  }
  // A port this device already had is ours (its own QEMU may be listening on it).
  auto* old = ctx.old_attributes<DisplayAttributes>();
  bool unchanged = old && (*old).*member == v;
  if (!unchanged)
    if (auto user = ctx.host.port_user(static_cast<int>(port)))
      errors.add(attribute, "The port is being used by following services:\n1) \"" + user->address + "\" used by " +
                                user->service);
}

}  // namespace

void DisplayKind::check(DisplayAttributes& attrs, const DeviceContext& ctx, ValidationErrors& errors) const {
  const std::string type = attrs.type;
  auto binds = ctx.host.bind_addresses();
  if (std::find(binds.begin(), binds.end(), attrs.bind) == binds.end())
    errors.add("attributes.bind", "Requested bind address is not valid");
  for (const auto& d : ctx.siblings())
    if (auto* other = d.get<DisplayAttributes>(); other && other->type == type)
      errors.add("attributes.type", "Only one " + type + " Display device is supported");

  check_port(&DisplayAttributes::port, "port", attrs, ctx, errors);
  check_port(&DisplayAttributes::web_port, "web_port", attrs, ctx, errors);
  if (type == "SPICE" && attrs.port && attrs.port == attrs.web_port)
    errors.add("attributes.port", "Spice server port must not be same as web port");
  if (!attrs.port || !attrs.web_port) {
    std::set<int64_t> exclude;
    for (const auto& port : {attrs.port, attrs.web_port})
      if (port) exclude.insert(*port);
    auto [first, second] = port_wizard(ctx.catalog, ctx.host, exclude);
    if (!attrs.port) {
      attrs.port = first;
      first = second;
    }
    if (!attrs.web_port) attrs.web_port = first;
  }

  // An empty (or absent) password gets a generated one: a display is never left open (10.6).
  const auto password = attrs.password;
  if (!password || password->empty()) {
    attrs.password = random_alnum(8);
  } else if (password->find_first_not_of(" \t\r\n") == std::string::npos) {
    errors.add("attributes.password", "Password is required for display devices");
  } else if (type == "VNC" && password->size() > 8) {
    errors.add("attributes.password", "Password for VNC display devices must be 8 characters or less");
  }
}

}  // namespace mw::vm
