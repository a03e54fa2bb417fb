#pragma once
// RFC 6901 JSON pointers, plus the URI-fragment form ("#/a%25b") $ref uses.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <middlewared/json.hpp>

namespace mw::schema {

// "a/b~c" -> "a~1b~0c".
std::string escape_pointer_token(std::string_view token);

// Splits "/a/b~1c" into {"a", "b/c"}; nullopt when malformed (no leading '/', bad '~' escape).
std::optional<std::vector<std::string>> parse_pointer(std::string_view pointer);

// The value `token` names inside `parent` (object key or array index), or nullptr.
const json::value* step_into(const json::value& parent, std::string_view token);

}  // namespace mw::schema
