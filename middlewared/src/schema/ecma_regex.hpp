#pragma once
// JSON Schema's `pattern` and `patternProperties`: ECMA-262 regular expressions, run by RE2.
// RE2 matches in time linear in the subject and bounded memory, whatever the pattern, so a
// hostile schema or instance cannot hang a validation. What RE2 cannot express (back-references,
// lookahead and lookbehind) is refused with a clear reason when the schema compiles; the small
// differences left are listed in docs/COMPATIBILITY.md.
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace re2 {
class RE2;
}

namespace mw::schema {

// nullopt when `source` is a pattern we accept, else why not.
std::optional<std::string> regex_problem(std::string_view source);

class EcmaRegex {
 public:
  // Throws std::invalid_argument (with the reason) when regex_problem() finds one.
  explicit EcmaRegex(std::string source);
  ~EcmaRegex();

  // Unanchored search, as JSON Schema's `pattern` requires.
  bool search(std::string_view subject) const;
  const std::string& source() const { return source_; }

 private:
  std::string source_;
  std::unique_ptr<re2::RE2> regex_;
};

}  // namespace mw::schema
