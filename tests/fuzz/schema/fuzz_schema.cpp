// Feeds {"schema": ..., "instance": ...} documents to the compiler and validator in both integer
// modes, with and without default filling, and through MethodSchema when the schema is
// positional. Anything but a crash, a sanitizer report or a hang is fine.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include <boost/json/parse.hpp>

#include "schema/method_schema.hpp"
#include "schema/schema_set.hpp"

namespace {

namespace json = boost::json;
using namespace mw::schema;

void exercise(const json::value& schema, const json::value& instance, bool strict) {
  SchemaSet set(CompileOptions{.strict_integers = strict});
  set.add_document("mw:///common/defs.json",
                   json::parse(R"({"definitions":{"int":{"type":"integer"},"str":{"type":"string"}}})"));
  CompiledSchema compiled;
  try {
    compiled = set.compile_document("mw:///vm/fuzz.json", schema);
  } catch (const SchemaError&) {
    return;
  }
  auto issues = compiled.validate(instance);
  bool valid = compiled.is_valid(instance);
  if (valid != issues.empty()) __builtin_trap();  // the two paths must agree
  for (const auto& issue : issues) {
    (void)issue.pointer();
    (void)issue.dotted();
  }
  json::value copy = instance;
  (void)compiled.validate_and_fill(copy);
  if (compiled.is_tuple()) {
    try {
      MethodSchema method(compiled);
      json::array params = instance.is_array() ? instance.get_array() : json::array{instance};
      (void)method.validate_params(params);
    } catch (const SchemaError&) {
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size > 16384) return 0;
  boost::system::error_code ec;
  json::value input = json::parse(std::string_view(reinterpret_cast<const char*>(data), size), ec);
  if (ec || !input.is_object()) return 0;
  const auto& obj = input.get_object();
  const json::value* schema = obj.if_contains("schema");
  const json::value* instance = obj.if_contains("instance");
  if (schema == nullptr || instance == nullptr) return 0;
  exercise(*schema, *instance, false);
  exercise(*schema, *instance, true);
  return 0;
}
