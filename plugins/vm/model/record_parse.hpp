#pragma once
// Records (see record_json.hpp) read straight from JSON text into their typed fields, without
// building a json::value first: start-up reads every stored device's attributes this way, and
// building the value was a third of reading a device.
//
// Only the plain form this server writes (serialising a record's to_json() object) is read here:
// each field at most once, every value of its field's type, strings of ASCII with short escapes,
// integers that fit an int64. Anything else (an unknown or repeated key, a value of another type,
// a fraction, non-ASCII, a malformed text) is declined, not interpreted: the reader returns false,
// and the caller parses a json::value and reads that (record_json.hpp), which decides what such a
// text means. Where this reader answers, the two give the same record.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "record_json.hpp"

namespace mw::vm::model {

class TextCursor {
 public:
  explicit TextCursor(std::string_view text) : p_(text.data()), end_(text.data() + text.size()) {}

  void skip_space() {
    while (p_ != end_ && (*p_ == ' ' || *p_ == '\t' || *p_ == '\n' || *p_ == '\r')) ++p_;
  }
  // Skips white space, then takes `c` if it comes next.
  bool take(char c) {
    skip_space();
    if (p_ == end_ || *p_ != c) return false;
    ++p_;
    return true;
  }
  bool take_word(std::string_view word) {
    skip_space();
    if (static_cast<std::size_t>(end_ - p_) < word.size() || std::string_view(p_, word.size()) != word) return false;
    p_ += word.size();
    return true;
  }
  bool at_end() {
    skip_space();
    return p_ == end_;
  }
  // A string without escapes (a key, a dtype): a view into the text.
  bool plain_string(std::string_view& out) {
    if (!take('"')) return false;
    const char* begin = p_;
    for (; p_ != end_ && *p_ != '"'; ++p_)
      if (!printable(*p_) || *p_ == '\\') return false;
    if (p_ == end_) return false;
    out = std::string_view(begin, static_cast<std::size_t>(p_ - begin));
    ++p_;
    return true;
  }
  bool string(std::string& out) {
    if (!take('"')) return false;
    out.clear();
    for (const char* plain = p_;; ++p_) {
      if (p_ == end_) return false;
      if (*p_ == '"') {
        out.append(plain, p_);
        ++p_;
        return true;
      }
      if (printable(*p_) && *p_ != '\\') continue;
      if (*p_ != '\\' || end_ - p_ < 2) return false;
      out.append(plain, p_);
      ++p_;
      char c = 0;
      switch (*p_) {
        case '"':
        case '\\':
        case '/':
          c = *p_;
          break;
        case 'b':
          c = '\b';
          break;
        case 'f':
          c = '\f';
          break;
        case 'n':
          c = '\n';
          break;
        case 'r':
          c = '\r';
          break;
        case 't':
          c = '\t';
          break;
        case 'u':  // \u00xx below 0x80, as the serializer writes control characters
          if (end_ - p_ < 5 || p_[1] != '0' || p_[2] != '0' || hex(p_[3]) < 0 || hex(p_[3]) > 7 || hex(p_[4]) < 0)
            return false;
          c = static_cast<char>(hex(p_[3]) * 16 + hex(p_[4]));
          p_ += 4;
          break;
        default:
          return false;
      }
      out += c;
      plain = p_ + 1;
    }
  }
  // An integer that fits an int64: no fraction or exponent, no leading zero.
  bool integer(std::int64_t& out) {
    skip_space();
    const bool negative = p_ != end_ && *p_ == '-';
    if (negative) ++p_;
    const char* digits = p_;
    std::uint64_t v = 0;
    constexpr std::uint64_t kLimit = std::uint64_t{1} << 63;  // -INT64_MIN; INT64_MAX is one less
    for (; p_ != end_ && *p_ >= '0' && *p_ <= '9'; ++p_) {
      if (p_ - digits == 19) return false;
      v = v * 10 + static_cast<std::uint64_t>(*p_ - '0');
    }
    if (p_ == digits || (p_ - digits > 1 && *digits == '0') || v > kLimit - (negative ? 0 : 1)) return false;
    if (p_ != end_ && (*p_ == '.' || *p_ == 'e' || *p_ == 'E')) return false;
    out = negative ? static_cast<std::int64_t>(0 - v) : static_cast<std::int64_t>(v);
    return true;
  }

 private:
  // What the serializer writes unescaped and the straight path reads: ASCII from the space on.
  static bool printable(char c) {
    return static_cast<unsigned char>(c) >= 0x20 && static_cast<unsigned char>(c) < 0x80;
  }
  static int hex(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  }

  const char* p_;
  const char* end_;
};

template <Record T>
bool read_members(TextCursor& in, T& out, bool after_member);

inline bool read_text(TextCursor& in, std::string& out) { return in.string(out); }
inline bool read_text(TextCursor& in, std::int64_t& out) { return in.integer(out); }
inline bool read_text(TextCursor& in, bool& out) {
  if (in.take_word("true")) return out = true, true;
  if (in.take_word("false")) return out = false, true;
  return false;
}
template <Record T>
bool read_text(TextCursor& in, T& out) {
  return in.take('{') && read_members(in, out, false);
}
template <class T>
bool read_text(TextCursor& in, std::optional<T>& out) {
  if (in.take_word("null")) return out.reset(), true;
  T inner = out.value_or(T{});  // as from_value() does
  if (!read_text(in, inner)) return false;
  out = std::move(inner);
  return true;
}

// The members of an object whose '{' (and, when `after_member`, a first member) was taken, up to
// and including its '}'.
template <Record T>
bool read_members(TextCursor& in, T& out, bool after_member) {
  if (in.take('}')) return true;
  if (after_member && !in.take(',')) return false;
  std::uint64_t seen = 0;  // fields by their place in T::fields
  for (;;) {
    std::string_view key;
    if (!in.plain_string(key) || !in.take(':')) return false;
    bool matched = false, read = false;
    std::uint64_t bit = 1;
    T::fields([&](const char* name, auto member) {
      if (!matched && key == name) {
        matched = true;
        read = !(seen & bit) && read_text(in, out.*member);
        seen |= bit;
      }
      bit <<= 1;
    });
    if (!read) return false;
    if (in.take('}')) return true;
    if (!in.take(',')) return false;
  }
}

}  // namespace mw::vm::model
