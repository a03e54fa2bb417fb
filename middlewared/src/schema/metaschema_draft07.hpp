#pragma once
// The draft-07 meta-schema, so `{"$ref": "http://json-schema.org/draft-07/schema#"}` resolves
// without the network.
#include <string_view>

namespace mw::schema {

inline constexpr std::string_view kDraft07MetaSchemaUri = "http://json-schema.org/draft-07/schema";
std::string_view draft07_metaschema_text();

}  // namespace mw::schema
