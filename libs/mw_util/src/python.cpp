#include "mw/util/python.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <set>
#include <stdexcept>

#include <boost/json/value.hpp>

#include "mw/util/utf8.hpp"

namespace mw::util {
namespace json = boost::json;
namespace {

// str.isprintable() is false for these (controls, separators other than ' ', format characters,
// private use); repr() writes them as escapes. Covers what JSON text can realistically carry.
bool is_printable(char32_t cp) {
  if (cp < 0x20 || (cp >= 0x7f && cp <= 0xa0) || cp == 0xad) return false;
  if (cp == 0x1680 || (cp >= 0x2000 && cp <= 0x200f) || (cp >= 0x2028 && cp <= 0x202f) ||
      (cp >= 0x205f && cp <= 0x2064) || cp == 0x3000 || cp == 0xfeff)
    return false;
  return !(cp >= 0xe000 && cp <= 0xf8ff);
}

void append_escape(std::string& out, char32_t cp) {
  char buf[12];
  if (cp <= 0xff)
    std::snprintf(buf, sizeof buf, "\\x%02x", static_cast<unsigned>(cp));
  else if (cp <= 0xffff)
    std::snprintf(buf, sizeof buf, "\\u%04x", static_cast<unsigned>(cp));
  else
    std::snprintf(buf, sizeof buf, "\\U%08x", static_cast<unsigned>(cp));
  out += buf;
}

void append_str_repr(std::string& out, std::string_view s) {
  // Python picks double quotes only when the text holds a single quote and no double quote.
  const bool dq = s.find('\'') != std::string_view::npos && s.find('"') == std::string_view::npos;
  const char quote = dq ? '"' : '\'';
  out += quote;
  for (std::size_t i = 0; i < s.size();) {
    char32_t cp = 0;
    const std::size_t len = decode_utf8(s, i, cp);
    if (len == 0) {  // not UTF-8: Python would hold these as surrogate escapes
      append_escape(out, static_cast<unsigned char>(s[i++]));
      continue;
    }
    if (cp == '\\')
      out += "\\\\";
    else if (cp == static_cast<char32_t>(quote))
      (out += '\\') += quote;
    else if (cp == '\n')
      out += "\\n";
    else if (cp == '\r')
      out += "\\r";
    else if (cp == '\t')
      out += "\\t";
    else if (!is_printable(cp))
      append_escape(out, cp);
    else
      out.append(s.substr(i, len));
    i += len;
  }
  out += quote;
}

void append_repr(std::string& out, const json::value& v, bool sort_keys) {
  switch (v.kind()) {
    case json::kind::null:
      out += "None";
      break;
    case json::kind::bool_:
      out += v.get_bool() ? "True" : "False";
      break;
    case json::kind::int64:
      out += std::to_string(v.get_int64());
      break;
    case json::kind::uint64:
      out += std::to_string(v.get_uint64());
      break;
    case json::kind::double_:
      out += python_float_repr(v.get_double());
      break;
    case json::kind::string:
      append_str_repr(out, v.get_string());
      break;
    case json::kind::array: {
      out += '[';
      bool first = true;
      for (const auto& e : v.get_array()) {
        if (!first) out += ", ";
        first = false;
        append_repr(out, e, sort_keys);
      }
      out += ']';
      break;
    }
    case json::kind::object: {
      std::vector<const json::key_value_pair*> items;
      for (const auto& kv : v.get_object()) items.push_back(&kv);
      if (sort_keys)
        std::sort(items.begin(), items.end(),
                  [](auto* a, auto* b) { return std::string_view(a->key()) < std::string_view(b->key()); });
      out += '{';
      bool first = true;
      for (const auto* kv : items) {
        if (!first) out += ", ";
        first = false;
        append_str_repr(out, kv->key());
        out += ": ";
        append_repr(out, kv->value(), sort_keys);
      }
      out += '}';
      break;
    }
  }
}

}  // namespace

std::string python_repr(const json::value& value) {
  std::string out;
  append_repr(out, value, false);
  return out;
}

std::string pprint_repr(const json::value& value) {
  std::string out;
  append_repr(out, value, true);
  return out;
}

std::string python_str_repr(std::string_view text) {
  std::string out;
  append_str_repr(out, text);
  return out;
}

std::string python_float_repr(double value) {
  if (std::isnan(value)) return "nan";
  if (std::isinf(value)) return value < 0 ? "-inf" : "inf";
  char buf[64];
  auto res = std::to_chars(buf, buf + sizeof buf, value, std::chars_format::scientific);
  std::string_view sci(buf, static_cast<std::size_t>(res.ptr - buf));
  std::string out;
  if (sci.front() == '-') {
    out += '-';
    sci.remove_prefix(1);
  }
  const std::size_t epos = sci.find('e');
  std::string digits;
  for (char c : sci.substr(0, epos))
    if (c != '.') digits += c;
  const int exponent = std::stoi(std::string(sci.substr(epos + 1)));
  // Python switches to exponent notation when the decimal point would sit more than 16 digits
  // right of the first digit or more than 4 zeros left of it.
  const int decpt = exponent + 1;
  if (decpt > -4 && decpt <= 16) {
    const int n = static_cast<int>(digits.size());
    if (decpt <= 0) {
      out += "0.";
      out.append(static_cast<std::size_t>(-decpt), '0');
      out += digits;
    } else if (decpt >= n) {
      out += digits;
      out.append(static_cast<std::size_t>(decpt - n), '0');
      out += ".0";
    } else {
      out += digits.substr(0, decpt);
      out += '.';
      out += digits.substr(decpt);
    }
    return out;
  }
  out += digits.substr(0, 1);
  if (digits.size() > 1) {
    out += '.';
    out += digits.substr(1);
  }
  out += 'e';
  out += exponent < 0 ? '-' : '+';
  std::string e = std::to_string(std::abs(exponent));
  if (e.size() < 2) e.insert(0, "0");
  out += e;
  return out;
}

std::vector<std::string> shlex_split(std::string_view text) {
  // shlex's whitespace is exactly these four; '\f' and '\v' are word characters to it.
  auto is_space = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; };
  std::vector<std::string> words;
  std::string word;
  bool in_word = false;  // also true for a word that is only quotes: '' is an empty word
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (is_space(c)) {
      if (in_word) words.push_back(std::move(word)), word.clear(), in_word = false;
      continue;
    }
    in_word = true;
    if (c == '\\') {
      if (++i == text.size()) throw std::invalid_argument("No escaped character");
      word += text[i];
    } else if (c == '\'') {
      const auto end = text.find('\'', i + 1);
      if (end == std::string_view::npos) throw std::invalid_argument("No closing quotation");
      word.append(text.substr(i + 1, end - i - 1));
      i = end;
    } else if (c == '"') {
      for (++i;; ++i) {
        if (i == text.size()) throw std::invalid_argument("No closing quotation");
        if (text[i] == '"') break;
        if (text[i] == '\\') {
          // Inside double quotes a backslash escapes only '"' and '\'; before anything else it
          // stays, and before the end of the text it is an escape with nothing to escape.
          if (i + 1 == text.size()) throw std::invalid_argument("No escaped character");
          if (text[i + 1] == '"' || text[i + 1] == '\\') ++i;
        }
        word += text[i];
      }
    } else {
      word += c;
    }
  }
  if (in_word) words.push_back(std::move(word));
  return words;
}

std::optional<std::vector<int>> parse_cpuset(std::string_view text) {
  std::vector<int> out;
  std::set<int> seen;
  if (text.empty()) return std::nullopt;
  std::size_t pos = 0;
  auto number = [&](int& value) {
    auto [p, ec] = std::from_chars(text.data() + pos, text.data() + text.size(), value);
    if (ec != std::errc() || value < 0) return false;
    pos = static_cast<std::size_t>(p - text.data());
    return true;
  };
  while (pos < text.size()) {
    int first = 0;
    if (!number(first)) return std::nullopt;
    int last = first;
    if (pos < text.size() && text[pos] == '-') {
      ++pos;
      if (!number(last) || last < first) return std::nullopt;
    }
    if (last - first > 65536) return std::nullopt;
    for (int c = first; c <= last; ++c)
      if (seen.insert(c).second) out.push_back(c);
    if (pos < text.size()) {
      if (text[pos] != ',' || pos + 1 == text.size()) return std::nullopt;
      ++pos;
    }
  }
  return out;
}

}  // namespace mw::util
