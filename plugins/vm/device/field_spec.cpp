#include "field_spec.hpp"

#include <boost/json/serialize.hpp>

#include "../text_utils.hpp"

namespace mw::vm {
namespace {

constexpr std::size_t kMaxString = 1024;

std::string literal_text(const json::value& v) {
  return v.is_string() ? "'" + std::string(v.as_string()) + "'" : json::serialize(v);
}

std::string literals_message(const std::vector<json::value>& literals) {
  std::vector<std::string> quoted;
  for (const auto& l : literals) quoted.push_back(literal_text(l));
  return "Input should be " + join_or(quoted);
}

void check_value(const FieldSpec& f, json::value& v, const std::string& path, ValidationErrors& errors) {
  if (v.is_null()) {
    if (f.nullable) return;
    if (!f.literals.empty()) return errors.add(path, literals_message(f.literals));
  }
  switch (f.type) {
    case FieldSpec::Type::Bool:
      if (!v.is_bool()) return errors.add(path, "Input should be a valid boolean");
      break;
    case FieldSpec::Type::Int:
      if (!v.is_int64() && !v.is_uint64()) return errors.add(path, "Input should be a valid integer");
      if (v.is_uint64()) return errors.add(path, "Input should be less than or equal to 9223372036854775807");
      if (f.min && v.as_int64() < *f.min)
        return errors.add(path, "Input should be greater than or equal to " + std::to_string(*f.min));
      if (f.max && v.as_int64() > *f.max)
        return errors.add(path, "Input should be less than or equal to " + std::to_string(*f.max));
      break;
    case FieldSpec::Type::String: {
      if (!v.is_string()) return errors.add(path, f.literals.empty() ? "Input should be a valid string" : literals_message(f.literals));
      const auto& s = v.as_string();
      if (s.size() > kMaxString) return errors.add(path, "String should have at most 1024 characters");
      if (f.no_braces && s.find_first_of("{}") != json::string::npos)
        return errors.add(path, "String should match pattern '^[^{}]*$'");
      break;
    }
    case FieldSpec::Type::Object:
      if (!v.is_object()) return errors.add(path, "Input should be a valid dictionary");
      check_fields(f.children, v.as_object(), path, errors);
      return;
  }
  if (!f.literals.empty()) {
    bool allowed = false;
    for (const auto& l : f.literals) allowed = allowed || l == v;
    if (!allowed) return errors.add(path, literals_message(f.literals));
  }
  if (f.assert_fn && !f.assert_fn(v)) errors.add(path, "Assertion failed, " + f.assertion);
}

}  // namespace

void check_fields(const std::vector<FieldSpec>& fields, json::object& attrs, const std::string& prefix,
                  ValidationErrors& errors, const std::set<std::string>& passthrough) {
  std::set<std::string> known(passthrough.begin(), passthrough.end());
  for (const auto& f : fields) {
    known.insert(f.name);
    std::string path = prefix + "." + f.name;
    auto it = attrs.find(f.name);
    if (it == attrs.end()) {
      if (f.required) errors.add(path, "Field required");
      else attrs[f.name] = f.default_value;
      continue;
    }
    check_value(f, it->value(), path, errors);
  }
  for (const auto& kv : attrs)
    if (!known.contains(std::string(kv.key()))) errors.add(prefix + "." + std::string(kv.key()), "Extra inputs are not permitted");
}

}  // namespace mw::vm
