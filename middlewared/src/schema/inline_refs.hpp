#pragma once
// Schemas with their references written out, for clients that cannot follow a $ref into our
// other schema files (core.get_methods gives TrueNAS's clients one self-contained schema per
// argument, as TrueNAS does).
#include <functional>
#include <map>
#include <string>
#include <string_view>

#include <middlewared/json.hpp>

namespace mw::schema {

// Relative path under schemas/ ("vm/create.params.json") -> parsed document.
using SchemaDocuments = std::map<std::string, json::value, std::less<>>;

// `schema` (found in `document_path`) with each $ref replaced by its target, the $ref's sibling
// keywords kept beside the target's. A reference that does not resolve, or that lies deeper than
// `max_depth` references (a recursive schema), stays as it is.
json::value inline_refs(const json::value& schema, std::string_view document_path, const SchemaDocuments& documents,
                        int max_depth = 16);

}  // namespace mw::schema
