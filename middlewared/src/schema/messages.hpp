#pragma once
// Issue texts in TrueNAS (pydantic v2) wording where pydantic has one; plain English otherwise.
// One function per message so tests and the compiler share the exact strings. Text taken from
// the instance (a property name, a tag) is quoted as a short prefix (middlewared/client_text.hpp).
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include <middlewared/json.hpp>

namespace mw::schema::messages {

// A number as JSON prints it for people: 20 (not 20.0 or 2E1), 0.5, 1e+300.
std::string render_number(const json::value& number);
// Strings in single quotes, everything else in JSON form (numbers via render_number).
std::string render_literal(const json::value& v);

inline constexpr std::string_view kFieldRequired = "Field required";
inline constexpr std::string_view kExtraForbidden = "Extra inputs are not permitted";
inline constexpr std::string_view kNotDictionary = "Input should be a valid dictionary";

// `type` name -> "Input should be a valid integer" etc.
std::string type_message(std::string_view type_name);
std::string greater_equal(const json::value& limit);
std::string less_equal(const json::value& limit);
std::string greater(const json::value& limit);
std::string less(const json::value& limit);
std::string multiple_of(const json::value& divisor);
std::string min_length(std::size_t n);
std::string max_length(std::size_t n);
std::string pattern(std::string_view source);
std::string min_items(std::size_t n, std::size_t actual);
std::string max_items(std::size_t n, std::size_t actual);
std::string min_properties(std::size_t n, std::size_t actual);
std::string max_properties(std::size_t n, std::size_t actual);
// "Input should be 'A'", "'A' or 'B'", "'A', 'B' or 'C'".
std::string one_of_literals(const std::vector<const json::value*>& values);
std::string unique_items(std::size_t first, std::size_t second);
std::string contains();
std::string not_schema();
std::string false_schema();
std::string one_of_many(std::size_t matched);
std::string property_name(std::string_view name, std::string_view inner);
std::string dependency_required(std::string_view present);
std::string format(std::string_view format_name);
std::string tag_mismatch(std::string_view tag_text, std::string_view property, const std::vector<std::string>& tags);
std::string too_deep(int limit);
std::string schema_recursion(int limit);
std::string too_many_arguments(std::size_t expected, std::size_t found);

}  // namespace mw::schema::messages
