#include "schema/formats.hpp"

#include <cctype>

#include <mw/util/random.hpp>

#include "schema/ecma_regex.hpp"

namespace mw::schema {

namespace {

bool digits(std::string_view s, std::size_t pos, std::size_t count, int& out) {
  if (pos + count > s.size()) return false;
  out = 0;
  for (std::size_t i = pos; i < pos + count; ++i) {
    if (!std::isdigit(static_cast<unsigned char>(s[i]))) return false;
    out = out * 10 + (s[i] - '0');
  }
  return true;
}

bool is_leap(int year) { return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0; }

// RFC 3339 full-date: YYYY-MM-DD with a real day of month.
bool check_date(std::string_view s) {
  int y = 0, m = 0, d = 0;
  if (s.size() != 10 || s[4] != '-' || s[7] != '-') return false;
  if (!digits(s, 0, 4, y) || !digits(s, 5, 2, m) || !digits(s, 8, 2, d)) return false;
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (m < 1 || m > 12 || d < 1) return false;
  int limit = kDays[m - 1] + (m == 2 && is_leap(y) ? 1 : 0);
  return d <= limit;
}

// RFC 3339 full-time: HH:MM:SS[.frac](Z|+HH:MM|-HH:MM); second 60 allowed (leap second).
bool check_time(std::string_view s) {
  int h = 0, mi = 0, sec = 0;
  if (s.size() < 9 || s[2] != ':' || s[5] != ':') return false;
  if (!digits(s, 0, 2, h) || !digits(s, 3, 2, mi) || !digits(s, 6, 2, sec)) return false;
  if (h > 23 || mi > 59 || sec > 60) return false;
  std::size_t i = 8;
  if (i < s.size() && s[i] == '.') {
    std::size_t start = ++i;
    while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) ++i;
    if (i == start) return false;
  }
  if (i >= s.size()) return false;
  if (s[i] == 'Z' || s[i] == 'z') return i + 1 == s.size();
  if (s[i] != '+' && s[i] != '-') return false;
  int oh = 0, om = 0;
  if (s.size() != i + 6 || s[i + 3] != ':') return false;
  if (!digits(s, i + 1, 2, oh) || !digits(s, i + 4, 2, om)) return false;
  return oh <= 23 && om <= 59;
}

bool check_date_time(std::string_view s) {
  if (s.size() < 20 || (s[10] != 'T' && s[10] != 't')) return false;
  return check_date(s.substr(0, 10)) && check_time(s.substr(11));
}

bool check_ipv4(std::string_view s) {
  int parts = 0;
  std::size_t i = 0;
  while (true) {
    std::size_t start = i;
    int value = 0;
    while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i])) && i - start < 3) {
      value = value * 10 + (s[i] - '0');
      ++i;
    }
    std::size_t len = i - start;
    if (len == 0 || value > 255 || (len > 1 && s[start] == '0')) return false;
    ++parts;
    if (i == s.size()) break;
    if (s[i] != '.' || parts == 4) return false;
    ++i;
  }
  return parts == 4;
}

bool check_ipv6(std::string_view s) {
  // Optional trailing dotted IPv4 counts as two groups.
  int groups = 0;
  bool compressed = false;
  std::size_t i = 0;
  if (s.substr(0, 2) == "::") {
    compressed = true;
    i = 2;
    if (i == s.size()) return true;
  } else if (!s.empty() && s[0] == ':') {
    return false;
  }
  while (i < s.size()) {
    std::size_t start = i;
    while (i < s.size() && std::isxdigit(static_cast<unsigned char>(s[i])) && i - start < 5) ++i;
    if (i < s.size() && s[i] == '.') {
      if (!check_ipv4(s.substr(start))) return false;
      groups += 2;
      i = s.size();
      break;
    }
    std::size_t len = i - start;
    if (len == 0 || len > 4) return false;
    ++groups;
    if (i == s.size()) break;
    if (s[i] != ':') return false;
    ++i;
    if (i < s.size() && s[i] == ':') {
      if (compressed) return false;
      compressed = true;
      ++i;
      if (i == s.size()) break;
    } else if (i == s.size()) {
      return false;
    }
  }
  return compressed ? groups <= 7 : groups == 8;
}

}  // namespace

bool is_checked_format(std::string_view f) {
  return f == "date-time" || f == "date" || f == "time" || f == "ipv4" || f == "ipv6" || f == "uuid" || f == "regex";
}

bool check_format(std::string_view f, std::string_view text) {
  if (f == "date-time") return check_date_time(text);
  if (f == "date") return check_date(text);
  if (f == "time") return check_time(text);
  if (f == "ipv4") return check_ipv4(text);
  if (f == "ipv6") return check_ipv6(text);
  if (f == "uuid") return util::is_uuid(text);
  if (f == "regex") return !regex_problem(text).has_value();
  return true;
}

}  // namespace mw::schema
