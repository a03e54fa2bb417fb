#include <stdexcept>

#include "device_config.hpp"
#include "record_json.hpp"
#include "record_parse.hpp"
#include "vm_config.hpp"

namespace mw::vm {

json::object to_json(const VmConfig& vm) {
  json::object o;
  o.reserve(29);
  o["id"] = vm.id;
  model::append_fields(vm, o);
  return o;
}

VmConfig vm_from_json(const json::object& fields) {
  VmConfig vm;
  if (auto* id = fields.if_contains("id")) model::from_value(*id, vm.id);
  model::from_object(fields, vm);
  return vm;
}

std::string_view DeviceConfig::dtype() const {
  return visit_attributes([](const auto& a) { return a.dtype; }, attributes);
}

std::int64_t default_order(const DeviceAttributes& attributes) {
  return visit_attributes([](const auto& a) { return a.default_order; }, attributes);
}

std::int64_t DeviceConfig::boot_order() const { return order != 0 ? order : default_order(attributes); }

const std::string* DeviceConfig::path() const {
  if (auto* d = get<DiskAttributes>()) return d->path ? &*d->path : nullptr;
  if (auto* r = get<RawAttributes>()) return &r->path;
  if (auto* c = get<CdromAttributes>()) return &c->path;
  return nullptr;
}

json::object to_json(const DeviceAttributes& attributes) {
  return visit_attributes(
      [](const auto& a) {
        json::object o;
        o["dtype"] = json::string(a.dtype);
        model::append_fields(a, o);
        return o;
      },
      attributes);
}

json::object to_json(const DeviceConfig& device) {
  return json::object{
      {"id", device.id}, {"vm", device.vm}, {"order", device.order}, {"attributes", to_json(device.attributes)}};
}

namespace {

template <std::size_t I = 0>
std::optional<DeviceAttributes> make_attributes(std::string_view dtype) {
  if constexpr (I == std::variant_size_v<DeviceAttributes>) {
    return std::nullopt;
  } else {
    using T = AttributesAt<I>;
    if (T::dtype == dtype) return DeviceAttributes(T{});
    return make_attributes<I + 1>(dtype);
  }
}

}  // namespace

std::optional<DeviceAttributes> default_attributes(std::string_view dtype) { return make_attributes(dtype); }

std::optional<DeviceAttributes> attributes_from_json(const json::object& attributes) {
  auto* dtype = attributes.if_contains("dtype");
  if (!dtype || !dtype->is_string()) return std::nullopt;
  auto out = make_attributes(dtype->get_string());
  if (out) visit_attributes([&](auto& a) { model::from_object(attributes, a); }, *out);
  return out;
}

std::optional<DeviceAttributes> attributes_from_plain_text(std::string_view text) {
  model::TextCursor in(text);
  std::string_view key, dtype;
  if (!in.take('{') || !in.plain_string(key) || key != "dtype" || !in.take(':') || !in.plain_string(dtype))
    return std::nullopt;
  auto out = make_attributes(dtype);
  if (!out || !visit_attributes([&](auto& a) { return model::read_members(in, a, true); }, *out) || !in.at_end())
    return std::nullopt;
  return out;
}

DeviceConfig device_from_json(const json::object& entry) {
  DeviceConfig d;
  for (auto [key, member] :
       {std::pair{"id", &DeviceConfig::id}, {"vm", &DeviceConfig::vm}, {"order", &DeviceConfig::order}})
    if (auto* v = entry.if_contains(key)) model::from_value(*v, d.*member);
  static const json::object none;
  auto* attrs = entry.if_contains("attributes");
  auto parsed = attributes_from_json(attrs && attrs->is_object() ? attrs->get_object() : none);
  if (!parsed) throw std::invalid_argument("device " + std::to_string(d.id) + " has no known dtype");
  d.attributes = std::move(*parsed);
  return d;
}

bool is_secure_firmware(std::string_view code) {
  for (std::string_view marker : {".secboot.", ".ms.", ".snakeoil."})
    if (code.find(marker) != std::string_view::npos) return true;
  return false;
}

}  // namespace mw::vm
