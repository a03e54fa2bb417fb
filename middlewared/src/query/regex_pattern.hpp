#pragma once
// The `~` operator's pattern: Python `re.match` semantics (anchored at the start only) on
// std::regex, compiled once per query.
//
// Safety (std::regex's backtracking matcher recurses once per subject character and can take
// exponential time): patterns are compiled in libstdc++'s polynomial (Thompson NFA) mode, whose
// stack depth depends on the pattern only, so any subject length is safe and time is linear in
// the subject. To bound the pattern side we refuse patterns longer than kMaxPatternBytes and
// patterns whose `{n,m}` repetitions would expand beyond kMaxExpandedSize atoms. Back-references
// cannot run in polynomial mode and are refused.
//
// Python syntax mapped: leading inline flags `(?i)` (case-insensitive), `(?m)`, `(?a)`, `(?u)`;
// `\A` and `\Z`; named groups `(?P<name>...)`; `(?#...)` comments; `]` first in a class.
// Everything else is ECMAScript syntax as std::regex reads it; matching is byte-wise.
#include <cstddef>
#include <memory>
#include <string_view>

namespace mw::query {

class RegexPattern {
 public:
  static constexpr std::size_t kMaxPatternBytes = 1024;
  static constexpr std::size_t kMaxExpandedSize = 2048;

  // Throws std::invalid_argument with a user-facing reason when the pattern is refused.
  RegexPattern(std::string_view python_pattern, bool ignore_case);

  // True when the pattern matches a prefix of `subject` (re.match).
  bool match_prefix(std::string_view subject) const;

 private:
  struct Impl;
  std::shared_ptr<const Impl> impl_;
};

}  // namespace mw::query
