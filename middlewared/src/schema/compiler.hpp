#pragma once
// Internal: indexes documents ($id) and compiles schema JSON into Node trees inside a Store.
#include <string_view>

#include "schema/store.hpp"

namespace mw::schema::detail {

// Stores the document under `uri` and records its root and every `$id` inside it. Throws
// SchemaError on a duplicate URI or `$id`, leaving the store as it was.
const Document& register_document(Store& store, const std::string& uri, json::value root);

// Compiles (or finds already compiled) the schema an absolute URI with optional fragment names.
// Throws SchemaError.
const Node* compile_uri(Store& store, std::string_view uri);

}  // namespace mw::schema::detail
