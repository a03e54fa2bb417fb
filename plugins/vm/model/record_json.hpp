#pragma once
// Records (structs that list their fields once, as `fields(f)` calls f(name, member pointer) for
// each) converted to and from JSON objects generically: one list per struct serves the wire, the
// stored rows and the defaults, so renaming a member fails to compile instead of at run time.
#include <cstdint>
#include <optional>
#include <string>

#include <middlewared/json.hpp>

namespace mw::vm::model {

template <class T>
concept Record = requires {
  T::is_record;
};

template <Record T>
json::value to_value(const T& record);
template <Record T>
void from_value(const json::value& v, T& out);

inline json::value to_value(const std::string& v) { return json::string(v); }
inline json::value to_value(std::int64_t v) { return v; }
inline json::value to_value(bool v) { return v; }
template <class T>
json::value to_value(const std::optional<T>& v) {
  return v ? to_value(*v) : json::value(nullptr);
}
template <Record T>
json::object to_object(const T& record);

// Readers are lenient (a value of the wrong type leaves the member as it was): what reaches them
// was validated at the edge, or was written by this server.
inline void from_value(const json::value& v, std::string& out) {
  if (v.is_string()) out = std::string(v.get_string());
}
inline void from_value(const json::value& v, std::int64_t& out) {
  if (v.is_int64())
    out = v.get_int64();
  else if (v.is_uint64())
    out = static_cast<std::int64_t>(v.get_uint64());
}
inline void from_value(const json::value& v, bool& out) {
  if (v.is_bool()) out = v.get_bool();
}
template <Record T>
void from_object(const json::object& o, T& out);
template <class T>
void from_value(const json::value& v, std::optional<T>& out) {
  if (v.is_null()) return out.reset();
  T inner = out.value_or(T{});
  from_value(v, inner);
  out = std::move(inner);
}

template <Record T>
void append_fields(const T& record, json::object& o) {
  T::fields([&](const char* key, auto member) { o[key] = to_value(record.*member); });
}

template <Record T>
json::object to_object(const T& record) {
  json::object o;
  append_fields(record, o);
  return o;
}

template <Record T>
void from_object(const json::object& o, T& out) {
  T::fields([&](const char* key, auto member) {
    if (auto* v = o.if_contains(key)) from_value(*v, out.*member);
  });
}

template <Record T>
json::value to_value(const T& record) {
  return to_object(record);
}

template <Record T>
void from_value(const json::value& v, T& out) {
  if (v.is_object()) from_object(v.get_object(), out);
}

}  // namespace mw::vm::model
