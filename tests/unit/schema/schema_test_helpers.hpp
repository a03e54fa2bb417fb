#pragma once
// Small helpers shared by the schema unit tests: compile a schema from JSON text and run it.
#include <string>
#include <utility>
#include <vector>

#include <boost/json/parse.hpp>

#include "schema/schema_set.hpp"

namespace mw::schema::test {

inline json::value parse(std::string_view text) { return boost::json::parse(text); }

// Compiles `schema_text` as mw:///test.json in a fresh set (strict integers unless told).
inline CompiledSchema compile(std::string_view schema_text, bool strict = true) {
  SchemaSet set(CompileOptions{.strict_integers = strict});
  return set.compile_document("mw:///test.json", parse(schema_text));
}

// (dotted location, message) of every issue.
using Found = std::vector<std::pair<std::string, std::string>>;

inline Found found(const std::vector<Issue>& issues) {
  Found out;
  for (const auto& issue : issues) out.emplace_back(issue.dotted(), issue.message);
  return out;
}

inline Found check(std::string_view schema_text, std::string_view instance_text, bool strict = true) {
  return found(compile(schema_text, strict).validate(parse(instance_text)));
}

// The single message for an instance, or a note when there is not exactly one issue.
inline std::string message(std::string_view schema_text, std::string_view instance_text, bool strict = true) {
  auto issues = check(schema_text, instance_text, strict);
  if (issues.size() != 1) return "<" + std::to_string(issues.size()) + " issues>";
  return issues.front().second;
}

}  // namespace mw::schema::test
