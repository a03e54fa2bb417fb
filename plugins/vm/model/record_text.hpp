#pragma once
// Records (see record_json.hpp) written straight to JSON text, byte for byte what serialising their
// to_json() object gives, without building that object: the catalog writes every row's ready bytes
// this way, which at start-up is done for every VM and device.
#include <charconv>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "record_json.hpp"

namespace mw::vm::model {

template <Record T>
void append_text(std::string& out, const T& record);

// A JSON string escaped as Boost.JSON's serializer does: `"` and `\`, \b \t \n \f \r, the other
// control characters as \u00xx; everything else as it is.
inline void append_text(std::string& out, std::string_view s) {
  static constexpr char kHex[] = "0123456789abcdef";
  out += '"';
  std::size_t plain = 0;
  for (std::size_t i = 0; i < s.size(); ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c >= 0x20 && c != '"' && c != '\\') continue;
    out.append(s.data() + plain, i - plain);
    plain = i + 1;
    out += '\\';
    switch (c) {
      case '"':
        out += '"';
        break;
      case '\\':
        out += '\\';
        break;
      case '\b':
        out += 'b';
        break;
      case '\t':
        out += 't';
        break;
      case '\n':
        out += 'n';
        break;
      case '\f':
        out += 'f';
        break;
      case '\r':
        out += 'r';
        break;
      default:
        out += "u00";
        out += kHex[c >> 4];
        out += kHex[c & 15];
    }
  }
  out.append(s.data() + plain, s.size() - plain);
  out += '"';
}
inline void append_text(std::string& out, const std::string& s) { append_text(out, std::string_view(s)); }
inline void append_text(std::string& out, std::int64_t v) {
  char buf[24];
  auto end = std::to_chars(buf, buf + sizeof buf, v).ptr;
  out.append(buf, end);
}
inline void append_text(std::string& out, bool v) {
  if (v)
    out.append("true", 4);
  else
    out.append("false", 5);
}
template <class T>
void append_text(std::string& out, const std::optional<T>& v) {
  if (v)
    append_text(out, *v);
  else
    out.append("null", 4);
}

// `,"key":` for each of T's fields, in order, made once: written with one append each (a key
// appended as a C string is measured with strlen, and the three parts took three appends).
template <Record T>
const std::vector<std::string>& field_prefixes() {
  static const std::vector<std::string> prefixes = [] {
    std::vector<std::string> out;
    // Field names are C++ identifiers: nothing in them to escape.
    T::fields([&](const char* key, auto) { out.push_back(std::string(",\"") + key + "\":"); });
    return out;
  }();
  return prefixes;
}

// `"key":value` for each field, comma-separated, with a leading comma when `first` is false.
template <Record T>
void append_field_texts(std::string& out, const T& record, bool first = true) {
  const std::string* prefix = field_prefixes<T>().data();
  T::fields([&](const char*, auto member) {
    out.append(*prefix, first ? 1 : 0);
    first = false;
    ++prefix;
    append_text(out, record.*member);
  });
}

template <Record T>
void append_text(std::string& out, const T& record) {
  out += '{';
  append_field_texts(out, record);
  out += '}';
}

}  // namespace mw::vm::model
