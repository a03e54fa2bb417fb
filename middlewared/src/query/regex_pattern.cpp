#include "regex_pattern.hpp"

#include <re2/re2.h>

#include <cctype>
#include <stdexcept>
#include <string>

namespace mw::query {
namespace {

[[noreturn]] void refuse(const std::string& why) { throw std::invalid_argument(why); }

// Skips a bracket expression starting at pattern[i] == '['; returns the index after its ']'.
std::size_t skip_class(std::string_view p, std::size_t i) {
  ++i;
  if (i < p.size() && p[i] == '^') ++i;
  if (i < p.size() && p[i] == ']') ++i;
  while (i < p.size() && p[i] != ']') i += (p[i] == '\\') ? 2 : 1;
  return std::min(i + 1, p.size());
}

// A Python inline flag group such as `(?im)` at p[i]; appends RE2's equivalent and returns the
// index after it, or returns i when there is none.
std::size_t inline_flags(std::string_view p, std::size_t i, std::string& out) {
  std::size_t j = i + 2;
  while (j < p.size() && std::isalpha(static_cast<unsigned char>(p[j]))) ++j;
  if (p.substr(i, 2) != "(?" || j == i + 2 || j >= p.size() || p[j] != ')') return i;
  std::string kept;
  for (std::size_t k = i + 2; k < j; ++k) {
    switch (p[k]) {
      case 'i':
      case 'm':
      case 's':
        kept += p[k];
        break;
      case 'a':
      case 'u':
        break;  // ASCII/Unicode classes: RE2's are ASCII either way
      default:
        refuse(std::string("inline flag '") + p[k] + "' is not supported");
    }
  }
  if (!kept.empty()) out += "(?" + kept + ")";
  return j + 1;
}

std::string translate(std::string_view p) {
  std::string out;
  out.reserve(p.size());
  std::size_t i = 0;
  while (i < p.size()) {
    const char c = p[i];
    if (c == '\\' && i + 1 < p.size()) {
      const char e = p[i + 1];
      if (std::isdigit(static_cast<unsigned char>(e)) && e != '0') refuse("back-references are not supported");
      if (e == 'Z')
        out += "\\z";
      else
        out.append(p.substr(i, 2));
      i += 2;
    } else if (c == '[') {
      const std::size_t end = skip_class(p, i);
      out.append(p.substr(i, end - i));
      i = end;
    } else if (p.substr(i, 4) == "(?P=") {
      refuse("back-references are not supported");
    } else if (p.substr(i, 3) == "(?=" || p.substr(i, 3) == "(?!" || p.substr(i, 4) == "(?<=" ||
               p.substr(i, 4) == "(?<!") {
      refuse("lookahead and lookbehind are not supported");
    } else if (p.substr(i, 3) == "(?#") {
      const std::size_t close = p.find(')', i);
      if (close == std::string_view::npos) refuse("missing ), unterminated comment");
      i = close + 1;
    } else if (const std::size_t next = inline_flags(p, i, out); next != i) {
      i = next;
    } else {
      out += c;
      ++i;
    }
  }
  return out;
}

}  // namespace

RegexPattern::RegexPattern(std::string_view python_pattern, bool ignore_case) {
  if (python_pattern.size() > kMaxPatternBytes) {
    refuse("regular expression is too long (" + std::to_string(python_pattern.size()) + " bytes, at most " +
           std::to_string(kMaxPatternBytes) + ")");
  }
  RE2::Options options;
  options.set_log_errors(false);
  options.set_case_sensitive(!ignore_case);
  options.set_max_mem(8 << 20);  // bounds the compiled program: a pattern too large is an error
  auto re = std::make_shared<RE2>(translate(python_pattern), options);
  if (!re->ok()) refuse(re->error());
  re_ = std::move(re);
}

bool RegexPattern::match_prefix(std::string_view subject) const {
  return re_->Match(subject, 0, subject.size(), RE2::ANCHOR_START, nullptr, 0);
}

}  // namespace mw::query
