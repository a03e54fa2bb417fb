#include "schema/guarded_regex.hpp"

#include <cctype>
#include <stdexcept>

#include "schema/compile_options.hpp"

namespace mw::schema {

namespace {

constexpr int kMaxGroupNesting = 64;
constexpr unsigned long kMaxRepeat = 1000;
constexpr std::string_view kEcmaLetterEscapes = "dDwWsSbBfnrtvcxuk";

// Walks the pattern once for the structural guards std::regex itself does not apply.
std::optional<std::string> structural_problem(std::string_view s) {
  int depth = 0;
  bool in_class = false;
  for (std::size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (c == '\\') {
      if (i + 1 >= s.size()) return "trailing backslash";
      char e = s[++i];
      if (std::isalpha(static_cast<unsigned char>(e)) &&
          kEcmaLetterEscapes.find(e) == std::string_view::npos) {
        return std::string("unknown escape \\") + e;
      }
      continue;
    }
    if (in_class) {
      if (c == ']') in_class = false;
      continue;
    }
    if (c == '[') {
      in_class = true;
    } else if (c == '(') {
      if (++depth > kMaxGroupNesting) return "groups nested too deeply";
    } else if (c == ')') {
      --depth;
    } else if (c == '{') {
      unsigned long value = 0;
      std::size_t j = i + 1;
      while (j < s.size() && (std::isdigit(static_cast<unsigned char>(s[j])) || s[j] == ',')) {
        if (s[j] == ',') {
          value = 0;
        } else {
          value = value * 10 + static_cast<unsigned long>(s[j] - '0');
          if (value > kMaxRepeat) return "repetition count too large";
        }
        ++j;
      }
    }
  }
  return std::nullopt;
}

}  // namespace

std::optional<std::string> regex_problem(std::string_view source) {
  if (source.size() > kMaxPatternLength) {
    return "pattern longer than " + std::to_string(kMaxPatternLength) + " bytes";
  }
  if (auto problem = structural_problem(source)) return problem;
  try {
    std::regex re(source.begin(), source.end(), std::regex::ECMAScript);
  } catch (const std::regex_error& e) {
    return std::string("invalid regular expression: ") + e.what();
  }
  return std::nullopt;
}

GuardedRegex::GuardedRegex(std::string source) : source_(std::move(source)) {
  if (auto problem = regex_problem(source_)) throw std::invalid_argument(*problem);
  regex_.assign(source_, std::regex::ECMAScript | std::regex::optimize);
}

GuardedRegex::Result GuardedRegex::search(std::string_view subject) const {
  if (subject.size() > kMaxPatternInputLength) return Result::InputTooLong;
  try {
    return std::regex_search(subject.begin(), subject.end(), regex_) ? Result::Match
                                                                     : Result::NoMatch;
  } catch (const std::regex_error&) {
    // libstdc++ may give up on pathological backtracking; treat as not matching.
    return Result::NoMatch;
  }
}

}  // namespace mw::schema
