#include "core/ejson_safe.hpp"

#include <array>
#include <string_view>

namespace mw::plugins::core {
namespace {

constexpr std::array<std::string_view, 5> kTags{"$date", "$time", "$set", "$ipv4_interface", "$ipv6_interface"};

bool is_tag(std::string_view key) {
  for (auto t : kTags)
    if (t == key) return true;
  return false;
}

}  // namespace

void make_ejson_safe(json::value& schema) {
  if (auto* arr = schema.if_array()) {
    for (auto& v : *arr) make_ejson_safe(v);
    return;
  }
  auto* obj = schema.if_object();
  if (!obj) return;
  for (auto& member : *obj) make_ejson_safe(member.value());
  auto* props = obj->if_contains("properties");
  if (!props || !props->is_object() || props->get_object().size() != 1) return;
  auto& only = *props->get_object().begin();
  if (!is_tag(only.key())) return;
  json::value sub = std::move(only.value());
  std::string pattern = "^[$]" + std::string(only.key().substr(1)) + "$";
  obj->erase("properties");
  json::value& patterns = (*obj)["patternProperties"];
  if (!patterns.is_object()) patterns = json::object{};
  patterns.get_object()[pattern] = std::move(sub);
}

}  // namespace mw::plugins::core
