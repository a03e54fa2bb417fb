#pragma once
// ECMA-262 style regexes (std::regex, ECMAScript grammar) with guards against hostile input:
// std::regex compiles and matches recursively, so a huge or deeply nested pattern, a huge
// repetition count, or a very long subject string could exhaust the stack. Patterns are checked
// before compilation (length <= kMaxPatternLength, group nesting <= 64, repetition counts
// <= 1000, only escapes ECMA-262 knows); subjects longer than kMaxPatternInputLength bytes are
// not matched at all (the caller reports them).
#include <optional>
#include <regex>
#include <string>
#include <string_view>

namespace mw::schema {

// nullopt when `source` is an acceptable pattern, else why not.
std::optional<std::string> regex_problem(std::string_view source);

class GuardedRegex {
 public:
  // Throws std::invalid_argument (with the reason) when regex_problem() finds one.
  explicit GuardedRegex(std::string source);

  enum class Result { Match, NoMatch, InputTooLong };
  // Unanchored search, as JSON Schema's `pattern` requires.
  Result search(std::string_view subject) const;
  const std::string& source() const { return source_; }

 private:
  std::string source_;
  std::regex regex_;
};

}  // namespace mw::schema
