#pragma once
// Internal: everything a SchemaSet owns, shared with the CompiledSchema handles it gives out so
// compiled nodes outlive the SchemaSet object itself.
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>

#include <middlewared/json.hpp>

#include "schema/compile_options.hpp"
#include "schema/node.hpp"

namespace mw::schema::detail {

struct Document {
  std::string uri;
  json::value root;
};

// A place a URI names: a document's subschema, and the base URI in effect just above it (its own
// $id is applied when it is compiled).
struct Resource {
  const Document* document = nullptr;
  std::string pointer;
  const json::value* value = nullptr;
  std::string parent_base;
};

struct Store {
  CompileOptions options;
  std::unordered_map<std::string, std::unique_ptr<Document>> documents;
  std::unordered_map<std::string, Resource> ids;      // absolute URI without fragment
  std::unordered_map<std::string, Resource> anchors;  // "absolute#name" from `$id: "#name"`
  std::deque<std::unique_ptr<Node>> nodes;
  std::unordered_map<const json::value*, Node*> compiled;
  std::function<std::optional<json::value>(const std::string&)> loader;
};

}  // namespace mw::schema::detail
