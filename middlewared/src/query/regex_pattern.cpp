#include "regex_pattern.hpp"

#include <algorithm>
#include <cctype>
#include <regex>
#include <stdexcept>
#include <string>
#include <vector>

#include <middlewared/errors.hpp>

namespace mw::query {

struct RegexPattern::Impl {
  std::regex re;
};

namespace {

struct Translated {
  std::string pattern;
  std::regex::flag_type flags = std::regex::ECMAScript;
};

[[noreturn]] void refuse(const std::string& why) { throw std::invalid_argument(why); }

// Skips a bracket expression starting at pattern[i] == '['; returns the index after its ']'.
std::size_t skip_class(std::string_view p, std::size_t i) {
  ++i;
  if (i < p.size() && p[i] == '^') ++i;
  if (i < p.size() && p[i] == ']') ++i;
  while (i < p.size() && p[i] != ']') i += (p[i] == '\\') ? 2 : 1;
  return std::min(i + 1, p.size());
}

// Rough count of the NFA atoms the pattern expands to, multiplying `{n,m}` repetitions through
// nested groups; enough to refuse `((a{100}){100}){100}` before std::regex builds it.
double expanded_size(std::string_view p) {
  struct Frame {
    double total = 0;
    double last = 0;
  };
  std::vector<Frame> stack(1);
  auto atom = [&](double size) {
    stack.back().total += size;
    stack.back().last = size;
  };
  for (std::size_t i = 0; i < p.size();) {
    const char c = p[i];
    if (c == '\\') {
      atom(1);
      i += 2;
    } else if (c == '[') {
      atom(1);
      i = skip_class(p, i);
    } else if (c == '(') {
      stack.emplace_back();
      ++i;
    } else if (c == ')') {
      if (stack.size() > 1) {
        const double inner = stack.back().total + 1;
        stack.pop_back();
        atom(inner);
      }
      ++i;
    } else if (c == '{') {
      std::size_t j = i + 1;
      double n = 0;
      double m = -1;
      while (j < p.size() && std::isdigit(static_cast<unsigned char>(p[j]))) n = n * 10 + (p[j++] - '0');
      if (j < p.size() && p[j] == ',') {
        ++j;
        m = 0;
        while (j < p.size() && std::isdigit(static_cast<unsigned char>(p[j]))) m = m * 10 + (p[j++] - '0');
      }
      const double times = std::max({n, m, 1.0});
      Frame& f = stack.back();
      f.total += f.last * (times - 1);
      f.last *= times;
      i = j;
    } else if (c == '*' || c == '+' || c == '?' || c == '|' || c == '}') {
      ++i;
    } else {
      atom(1);
      ++i;
    }
    if (stack.back().total > 1e12) break;  // far beyond any limit; stop before doubles overflow
  }
  double total = 0;
  for (const Frame& f : stack) total += f.total;
  return total;
}

// Leading Python inline flags such as `(?i)`; returns the index after them.
std::size_t read_inline_flags(std::string_view p, std::regex::flag_type& flags) {
  std::size_t i = 0;
  while (p.substr(i, 2) == "(?") {
    std::size_t j = i + 2;
    while (j < p.size() && std::isalpha(static_cast<unsigned char>(p[j]))) ++j;
    if (j == i + 2 || j >= p.size() || p[j] != ')') break;
    for (std::size_t k = i + 2; k < j; ++k) {
      switch (p[k]) {
        case 'i': flags |= std::regex::icase; break;
        case 'm': flags |= std::regex::multiline; break;
        case 'a':
        case 'u': break;  // ASCII/Unicode classes: matching is byte-wise either way
        default: refuse(std::string("inline flag '") + p[k] + "' is not supported");
      }
    }
    i = j + 1;
  }
  return i;
}

Translated translate(std::string_view p, bool ignore_case) {
  Translated t;
  if (ignore_case) t.flags |= std::regex::icase;
  std::size_t i = read_inline_flags(p, t.flags);
  t.pattern.reserve(p.size());
  while (i < p.size()) {
    const char c = p[i];
    if (c == '\\' && i + 1 < p.size()) {
      const char e = p[i + 1];
      if (e == 'A') {
        t.pattern += '^';
      } else if (e == 'Z') {
        t.pattern += '$';
      } else if (std::isdigit(static_cast<unsigned char>(e)) && e != '0') {
        refuse("back-references are not supported");
      } else {
        t.pattern.append(p.substr(i, 2));
      }
      i += 2;
    } else if (c == '[') {
      // Python reads `]` right after `[` or `[^` as a literal; ECMAScript needs it escaped.
      const std::size_t end = skip_class(p, i);
      std::size_t j = i + 1;
      t.pattern += '[';
      if (j < end && p[j] == '^') t.pattern += p[j++];
      if (j < end && p[j] == ']') {
        t.pattern += "\\]";
        ++j;
      }
      t.pattern.append(p.substr(j, end - j));
      i = end;
    } else if (p.substr(i, 4) == "(?P<") {
      const std::size_t close = p.find('>', i);
      if (close == std::string_view::npos) refuse("unterminated group name");
      t.pattern += '(';
      i = close + 1;
    } else if (p.substr(i, 4) == "(?P=") {
      refuse("back-references are not supported");
    } else if (p.substr(i, 3) == "(?#") {
      const std::size_t close = p.find(')', i);
      if (close == std::string_view::npos) refuse("missing ), unterminated comment");
      i = close + 1;
    } else {
      t.pattern += c;
      ++i;
    }
  }
  return t;
}

}  // namespace

RegexPattern::RegexPattern(std::string_view python_pattern, bool ignore_case) {
  if (python_pattern.size() > kMaxPatternBytes) {
    refuse("regular expression is too long (" + std::to_string(python_pattern.size()) + " bytes, at most " +
           std::to_string(kMaxPatternBytes) + ")");
  }
  if (expanded_size(python_pattern) > static_cast<double>(kMaxExpandedSize)) {
    refuse("regular expression repeats too much (at most " + std::to_string(kMaxExpandedSize) +
           " atoms after expanding {n,m})");
  }
  Translated t = translate(python_pattern, ignore_case);
  auto impl = std::make_shared<Impl>();
  try {
    impl->re.assign(t.pattern, t.flags | std::regex_constants::__polynomial);
  } catch (const std::regex_error& e) {
    refuse(e.what());
  }
  impl_ = std::move(impl);
}

bool RegexPattern::match_prefix(std::string_view subject) const {
  try {
    return std::regex_search(subject.begin(), subject.end(), impl_->re, std::regex_constants::match_continuous);
  } catch (const std::regex_error& e) {
    // Not expected in polynomial mode; kept so a library limit never escapes as an unknown error.
    throw CallError(std::string("regular expression could not be evaluated: ") + e.what(), EINVAL);
  }
}

}  // namespace mw::query
