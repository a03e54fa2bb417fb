// DISPLAY: SPICE or VNC; ports from the port wizard, a password always set.
#include <algorithm>

#include "../host_info.hpp"
#include "../ports.hpp"
#include "../random_ids.hpp"
#include "kinds.hpp"

namespace mw::vm {
namespace {

const std::vector<json::value>& resolutions() {
  static const std::vector<json::value> r = {"1920x1200", "1920x1080", "1600x1200", "1600x900", "1400x1050",
                                             "1280x1024", "1280x720",  "1024x768",  "800x600",  "640x480"};
  return r;
}

void check_port(json::object& attrs, const char* key, const DeviceContext& ctx, ValidationErrors& errors) {
  const auto& v = attrs.at(key);
  if (v.is_null()) return;
  int64_t port = v.as_int64();
  std::string attribute = std::string("attributes.") + key;
  if (port < kFirstDisplayPort || port > kLastDisplayPort) {
    errors.add(attribute, "Specified port must be between 5900 and 65535, inclusive");
    return;
  }
  if (auto owner = ctx.catalog.display_port_owner(port); owner && *owner != ctx.device_id) {
    errors.add(attribute, "Specified display port(" + std::to_string(port) + ") is already in use by another Display device");
    return;
  }
  // A port this device already had is ours (its own QEMU may be listening on it).
  bool unchanged = ctx.old && ctx.old->attributes.contains(key) && ctx.old->attributes.at(key) == v;
  if (!unchanged)
    if (auto user = ctx.host.port_user(static_cast<int>(port)))
      errors.add(attribute, "The port is being used by following services:\n1) \"" + user->address + "\" used by " + user->service);
}

}  // namespace

const std::vector<FieldSpec>& DisplayKind::fields() const {
  using T = FieldSpec::Type;
  static const std::vector<FieldSpec> f = {
      {.name = "type", .type = T::String, .default_value = "SPICE", .literals = {"SPICE", "VNC"}},
      {.name = "resolution", .type = T::String, .default_value = "1024x768", .literals = resolutions()},
      {.name = "port", .type = T::Int, .nullable = true, .min = kFirstDisplayPort, .max = kLastDisplayPort},
      {.name = "web_port", .type = T::Int, .nullable = true},
      {.name = "bind", .type = T::String, .default_value = "127.0.0.1"},
      {.name = "wait", .type = T::Bool, .default_value = false},
      {.name = "password", .type = T::String, .nullable = true},
      {.name = "web", .type = T::Bool, .default_value = true},
  };
  return f;
}

void DisplayKind::validate(json::object& attrs, const DeviceContext& ctx, ValidationErrors& errors) const {
  std::string type(attrs.at("type").as_string());
  auto binds = ctx.host.bind_addresses();
  if (std::find(binds.begin(), binds.end(), std::string(attrs.at("bind").as_string())) == binds.end())
    errors.add("attributes.bind", "Requested bind address is not valid");
  for (const auto& d : ctx.siblings())
    if (d.dtype() == "DISPLAY" && string_attr(d.attributes, "type") == type)
      errors.add("attributes.type", "Only one " + type + " Display device is supported");

  check_port(attrs, "port", ctx, errors);
  check_port(attrs, "web_port", ctx, errors);
  if (type == "SPICE" && !attrs.at("port").is_null() && attrs.at("port") == attrs.at("web_port"))
    errors.add("attributes.port", "Spice server port must not be same as web port");
  if (attrs.at("port").is_null() || attrs.at("web_port").is_null()) {
    std::set<int64_t> exclude;
    for (const char* key : {"port", "web_port"})
      if (attrs.at(key).is_int64()) exclude.insert(attrs.at(key).as_int64());
    auto [first, second] = port_wizard(ctx.catalog, ctx.host, exclude);
    if (attrs.at("port").is_null()) {
      attrs["port"] = first;
      first = second;
    }
    if (attrs.at("web_port").is_null()) attrs["web_port"] = first;
  }

  // An empty (or absent) password gets a generated one: a display is never left open (10.6).
  auto password = string_attr(attrs, "password");
  if (!password || password->empty()) {
    attrs["password"] = random_alnum(8);
  } else if (password->find_first_not_of(" \t\r\n") == std::string::npos) {
    errors.add("attributes.password", "Password is required for display devices");
  } else if (type == "VNC" && password->size() > 8) {
    errors.add("attributes.password", "Password for VNC display devices must be 8 characters or less");
  }
}

}  // namespace mw::vm
