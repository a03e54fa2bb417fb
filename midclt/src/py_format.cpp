#include "midclt/py_format.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <string_view>
#include <vector>

#include <boost/json.hpp>

#include <mw/util/python.hpp>
#include <mw/util/utf8.hpp>

namespace midclt {
namespace json = boost::json;

namespace {

constexpr int kPprintWidth = 80;

void append_hex4(std::string& out, unsigned value) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "\\u%04x", value & 0xffffu);
  out += buf;
}

// The code point at `i` (advancing `i`); a byte that is not valid UTF-8 comes back as U+FFFD on
// its own, which is what Python shows for text it could not decode with errors="replace".
char32_t next_code_point(std::string_view s, std::size_t& i) {
  char32_t cp = 0;
  const std::size_t len = mw::util::decode_utf8(s, i, cp);
  i += len ? len : 1;
  return len ? cp : 0xfffd;
}

// json.dumps string escaping: ensure_ascii turns every character outside space..'~' into an
// escape (surrogate pairs beyond the BMP).
void append_json_string(std::string& out, std::string_view s, bool ascii_only) {
  out += '"';
  for (std::size_t i = 0; i < s.size();) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    switch (c) {
      case '"':
        out += "\\\"";
        ++i;
        continue;
      case '\\':
        out += "\\\\";
        ++i;
        continue;
      case '\n':
        out += "\\n";
        ++i;
        continue;
      case '\r':
        out += "\\r";
        ++i;
        continue;
      case '\t':
        out += "\\t";
        ++i;
        continue;
      case '\b':
        out += "\\b";
        ++i;
        continue;
      case '\f':
        out += "\\f";
        ++i;
        continue;
      default:
        break;
    }
    if (c < 0x20) {
      append_hex4(out, c);
      ++i;
      continue;
    }
    if (c < 0x7f) {
      out += static_cast<char>(c);
      ++i;
      continue;
    }
    if (!ascii_only) {
      out += static_cast<char>(c);
      ++i;
      continue;
    }
    char32_t cp = next_code_point(s, i);
    if (cp >= 0x10000) {
      char32_t v = cp - 0x10000;
      append_hex4(out, 0xd800 + (v >> 10));
      append_hex4(out, 0xdc00 + (v & 0x3ff));
    } else {
      append_hex4(out, cp);
    }
  }
  out += '"';
}

void append_dumps(std::string& out, const json::value& v, bool pretty_separators, bool ascii_only) {
  const char* item_sep = pretty_separators ? ", " : ",";
  const char* key_sep = pretty_separators ? ": " : ":";
  switch (v.kind()) {
    case json::kind::null:
      out += "null";
      break;
    case json::kind::bool_:
      out += v.get_bool() ? "true" : "false";
      break;
    case json::kind::int64:
      out += std::to_string(v.get_int64());
      break;
    case json::kind::uint64:
      out += std::to_string(v.get_uint64());
      break;
    case json::kind::double_:
      out += dumps_float(v.get_double());
      break;
    case json::kind::string:
      append_json_string(out, v.get_string(), ascii_only);
      break;
    case json::kind::array: {
      out += '[';
      bool first = true;
      for (const auto& item : v.get_array()) {
        if (!first) out += item_sep;
        first = false;
        append_dumps(out, item, pretty_separators, ascii_only);
      }
      out += ']';
      break;
    }
    case json::kind::object: {
      out += '{';
      bool first = true;
      for (const auto& kv : v.get_object()) {
        if (!first) out += item_sep;
        first = false;
        append_json_string(out, kv.key(), ascii_only);
        out += key_sep;
        append_dumps(out, kv.value(), pretty_separators, ascii_only);
      }
      out += '}';
      break;
    }
  }
}

// Length in characters (code points), as pprint measures widths.
std::size_t display_length(std::string_view s) {
  return static_cast<std::size_t>(
      std::count_if(s.begin(), s.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xc0) != 0x80; }));
}

std::vector<const json::key_value_pair*> sorted_items(const json::object& o) {
  std::vector<const json::key_value_pair*> items;
  for (const auto& kv : o) items.push_back(&kv);
  std::sort(items.begin(), items.end(),
            [](auto* a, auto* b) { return std::string_view(a->key()) < std::string_view(b->key()); });
  return items;
}

// pprint's recursive layout: an item that fits in the remaining width is written as its repr,
// a container that does not is broken one element per line, indented one column per level.
void pformat_into(std::string& out, const json::value& v, std::size_t indent, std::size_t allowance) {
  std::string rep = mw::util::pprint_repr(v);
  std::size_t max_width = kPprintWidth > static_cast<int>(indent + allowance) ? kPprintWidth - indent - allowance : 0;
  if (display_length(rep) <= max_width || !(v.is_array() || v.is_object()) || (v.is_array() && v.get_array().empty()) ||
      (v.is_object() && v.get_object().empty())) {
    out += rep;
    return;
  }
  if (v.is_array()) {
    const auto& arr = v.get_array();
    out += '[';
    std::size_t inner = indent + 1;
    for (std::size_t i = 0; i < arr.size(); ++i) {
      bool last = i + 1 == arr.size();
      if (i) out += ",\n" + std::string(inner, ' ');
      pformat_into(out, arr[i], inner, last ? allowance + 1 : 1);
    }
    out += ']';
    return;
  }
  auto items = sorted_items(v.get_object());
  out += '{';
  std::size_t inner = indent + 1;
  for (std::size_t i = 0; i < items.size(); ++i) {
    bool last = i + 1 == items.size();
    if (i) out += ",\n" + std::string(inner, ' ');
    std::string key = mw::util::python_str_repr(items[i]->key());
    out += key;
    out += ": ";
    pformat_into(out, items[i]->value(), inner + display_length(key) + 2, last ? allowance + 1 : 1);
  }
  out += '}';
}

long long python_floor_div(long long a, long long b) {
  long long q = a / b;
  if ((a % b != 0) && ((a < 0) != (b < 0))) --q;
  return q;
}

std::string zero_padded(const std::string& text, char separator, std::size_t parts, const int* widths) {
  std::vector<long> numbers;
  std::size_t start = 0;
  while (true) {
    std::size_t end = text.find(separator, start);
    std::string piece = text.substr(start, end == std::string::npos ? std::string::npos : end - start);
    if (piece.empty() || !std::all_of(piece.begin(), piece.end(), [](char c) { return c >= '0' && c <= '9'; }))
      return {};
    numbers.push_back(std::stol(piece));
    if (end == std::string::npos) break;
    start = end + 1;
  }
  if (numbers.size() != parts) return {};
  std::string out;
  for (std::size_t i = 0; i < parts; ++i) {
    if (i) out += separator;
    std::string n = std::to_string(numbers[i]);
    if (n.size() < static_cast<std::size_t>(widths[i])) n.insert(0, widths[i] - n.size(), '0');
    out += n;
  }
  return out;
}

}  // namespace

std::string dumps_float(double value) {
  if (std::isnan(value)) return "NaN";
  if (std::isinf(value)) return value < 0 ? "-Infinity" : "Infinity";
  return mw::util::python_float_repr(value);
}

std::string python_dumps(const json::value& value) {
  std::string out;
  append_dumps(out, value, true, true);
  return out;
}

std::string wire_dumps(const json::value& value) {
  std::string out;
  append_dumps(out, value, false, false);
  return out;
}

std::string python_print_form(const json::value& value) {
  switch (value.kind()) {
    case json::kind::bool_:
      return value.get_bool() ? "True" : "False";
    case json::kind::int64:
      return std::to_string(value.get_int64());
    case json::kind::uint64:
      return std::to_string(value.get_uint64());
    case json::kind::string:
      return std::string(value.get_string());
    default:
      return python_dumps(value);
  }
}

std::string python_pformat(const json::value& value) {
  std::string out;
  pformat_into(out, value, 0, 0);
  return out;
}

bool python_truthy(const json::value& v) {
  switch (v.kind()) {
    case json::kind::null:
      return false;
    case json::kind::bool_:
      return v.get_bool();
    case json::kind::int64:
      return v.get_int64() != 0;
    case json::kind::uint64:
      return v.get_uint64() != 0;
    case json::kind::double_:
      return v.get_double() != 0.0;
    case json::kind::string:
      return !v.get_string().empty();
    case json::kind::array:
      return !v.get_array().empty();
    case json::kind::object:
      return !v.get_object().empty();
  }
  return false;
}

json::value ejson_round_trip(const json::value& value) {
  if (value.is_array()) {
    json::array out;
    out.reserve(value.get_array().size());
    for (const auto& item : value.get_array()) out.push_back(ejson_round_trip(item));
    return out;
  }
  if (!value.is_object()) return value;
  json::object out;
  for (const auto& kv : value.get_object()) out[kv.key()] = ejson_round_trip(kv.value());
  if (out.size() == 1) {
    if (auto* date = out.if_contains("$date"); date && (date->is_int64() || date->is_uint64())) {
      // datetime.fromtimestamp(ms / 1000) + timedelta(ms % 1000) then timegm(timetuple()):
      // the milliseconds are added twice and then dropped with the sub-second part.
      long long ms = date->is_int64() ? date->get_int64() : static_cast<long long>(date->get_uint64());
      long long rem = ms - python_floor_div(ms, 1000) * 1000;
      long long seconds = python_floor_div(ms + rem, 1000);
      return json::object{{"$date", seconds * 1000}};
    }
    if (auto* t = out.if_contains("$time"); t && t->is_string()) {
      static constexpr int widths[] = {2, 2, 2};
      std::string padded = zero_padded(std::string(t->get_string()), ':', 3, widths);
      if (!padded.empty()) return json::object{{"$time", padded}};
      return out;
    }
    if (auto* s = out.if_contains("$set"); s && s->is_array()) {
      // A Python set drops duplicates; its order is arbitrary, so keeping the first seen is fine.
      json::array unique;
      for (const auto& item : s->get_array()) {
        if (std::find(unique.begin(), unique.end(), item) == unique.end()) unique.push_back(item);
      }
      return json::object{{"$set", std::move(unique)}};
    }
  }
  if (out.size() == 2) {
    auto* type = out.if_contains("$type");
    auto* val = out.if_contains("$value");
    if (type && val && type->is_string() && type->get_string() == "date" && val->is_string()) {
      static constexpr int widths[] = {4, 2, 2};
      std::string padded = zero_padded(std::string(val->get_string()), '-', 3, widths);
      if (!padded.empty()) return json::object{{"$type", "date"}, {"$value", padded}};
    }
  }
  return out;
}

}  // namespace midclt
