#pragma once
// The model-level rules of device attributes (types, literals, ranges, defaults), checked in C++
// because vm.device.update re-validates the merged attributes after the schema step. Messages
// are pydantic v2's.
#include <cstdint>
#include <functional>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <middlewared/errors.hpp>
#include <middlewared/json.hpp>

namespace mw::vm {

struct FieldSpec {
  enum class Type { Bool, Int, String, Object };
  std::string name;
  Type type = Type::String;
  bool nullable = false;
  bool required = false;
  json::value default_value = nullptr;
  std::optional<int64_t> min, max;
  std::vector<json::value> literals;  // allowed values when not empty
  bool no_braces = false;             // pattern ^[^{}]*$
  std::vector<FieldSpec> children;    // Object members (strict: extra keys refused)
  // An assert-based validator: false -> "Assertion failed, <assertion>".
  std::function<bool(const json::value&)> assert_fn;
  std::string assertion;
};

// Checks `attrs` against `fields`, filling defaults of absent optional fields. Keys listed in
// `passthrough` are left alone (the tag). Errors are added as "<prefix>.<field>".
void check_fields(const std::vector<FieldSpec>& fields, json::object& attrs, const std::string& prefix,
                  ValidationErrors& errors, const std::set<std::string>& passthrough = {});

}  // namespace mw::vm
