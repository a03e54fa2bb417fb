#pragma once
// The `~` operator's pattern: Python `re.match` semantics (anchored at the start only), run by
// RE2 and compiled once per query. RE2 matches in time linear in the subject with bounded
// memory, so no pattern or row can hang a query; what it cannot express (back-references,
// lookahead, lookbehind) is refused with a clear reason. Python syntax RE2 lacks is mapped:
// `\Z`, `(?#...)` comments, the `a`/`u` inline flags. The remaining differences are listed in
// docs/COMPATIBILITY.md.
#include <cstddef>
#include <memory>
#include <string_view>

namespace re2 {
class RE2;
}

namespace mw::query {

class RegexPattern {
 public:
  static constexpr std::size_t kMaxPatternBytes = 1024;

  // Throws std::invalid_argument with a user-facing reason when the pattern is refused.
  RegexPattern(std::string_view python_pattern, bool ignore_case);

  // True when the pattern matches a prefix of `subject` (re.match).
  bool match_prefix(std::string_view subject) const;

 private:
  std::shared_ptr<const re2::RE2> re_;
};

}  // namespace mw::query
