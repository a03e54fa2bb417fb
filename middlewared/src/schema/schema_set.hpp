#pragma once
// A registry of schema documents addressed by URI, and the compiler that turns them into
// CompiledSchema trees. Method schema files live under schemas/ and are registered as
// `mw:///<relative path>` (method_schema_uri()), so relative $refs between them resolve.
// The draft-07 meta-schema (http://json-schema.org/draft-07/schema) is always registered.
//
// Compiling is not thread-safe (do it at start-up); the CompiledSchema results are.
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include <middlewared/json.hpp>

#include "schema/compile_options.hpp"
#include "schema/compiled_schema.hpp"
#include "schema/schema_error.hpp"

namespace mw::schema {

namespace detail {
struct Store;
}

// "vm/create.params.json" -> "mw:///vm/create.params.json".
std::string method_schema_uri(std::string_view relative_path);

// Called for an absolute URI no registered document provides; returns the document or nullopt.
using DocumentLoader = std::function<std::optional<json::value>(const std::string& uri)>;

class SchemaSet {
 public:
  explicit SchemaSet(CompileOptions options = {});
  SchemaSet(const SchemaSet&) = delete;
  SchemaSet& operator=(const SchemaSet&) = delete;
  SchemaSet(SchemaSet&&) noexcept = default;
  SchemaSet& operator=(SchemaSet&&) noexcept = default;

  // Registers `document` under the absolute, fragment-less `uri`, indexing its `$id`s.
  // Throws SchemaError for a relative URI, a taken URI or a duplicate `$id`.
  void add_document(std::string_view uri, json::value document);
  bool has_document(std::string_view uri) const;
  // Optional fallback for unknown documents (used by the CLI helper to read sibling files).
  void set_loader(DocumentLoader loader);

  // Compiles the schema an absolute URI (optionally with a #fragment) names. Throws SchemaError
  // naming the document URI and JSON pointer of the first problem.
  CompiledSchema compile(std::string_view uri);
  // Registers `document` under `uri` and compiles its root.
  CompiledSchema compile_document(std::string_view uri, json::value document);

  const CompileOptions& options() const;

 private:
  std::shared_ptr<detail::Store> store_;
};

}  // namespace mw::schema
