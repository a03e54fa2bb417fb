#include "schema/messages.hpp"

#include <charconv>
#include <cmath>

#include <boost/json/serialize.hpp>

#include <middlewared/client_text.hpp>

#include "schema/compile_options.hpp"

namespace mw::schema::messages {

std::string render_number(const json::value& number) {
  if (number.is_int64()) return std::to_string(number.get_int64());
  if (number.is_uint64()) return std::to_string(number.get_uint64());
  if (!number.is_double()) return json::serialize(number);
  double d = number.get_double();
  if (std::isfinite(d) && std::trunc(d) == d && std::fabs(d) < 1e15) {
    return std::to_string(static_cast<long long>(d));
  }
  char buf[64];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, d);
  return ec == std::errc() ? std::string(buf, end) : json::serialize(number);
}

std::string render_literal(const json::value& v) {
  if (v.is_string()) return "'" + std::string(v.get_string()) + "'";
  if (v.is_number()) return render_number(v);
  return json::serialize(v);
}

std::string type_message(std::string_view type_name) {
  if (type_name == "integer") return "Input should be a valid integer";
  if (type_name == "number") return "Input should be a valid number";
  if (type_name == "string") return "Input should be a valid string";
  if (type_name == "boolean") return "Input should be a valid boolean";
  if (type_name == "object") return std::string(kNotDictionary);
  if (type_name == "array") return "Input should be a valid list";
  if (type_name == "null") return "Input should be None";
  return "Input should be of type " + std::string(type_name);
}

std::string greater_equal(const json::value& limit) {
  return "Input should be greater than or equal to " + render_number(limit);
}
std::string less_equal(const json::value& limit) {
  return "Input should be less than or equal to " + render_number(limit);
}
std::string greater(const json::value& limit) { return "Input should be greater than " + render_number(limit); }
std::string less(const json::value& limit) { return "Input should be less than " + render_number(limit); }
std::string multiple_of(const json::value& divisor) {
  return "Input should be a multiple of " + render_number(divisor);
}

namespace {
std::string counted(std::size_t n, std::string_view singular, std::string_view plural) {
  return std::to_string(n) + " " + std::string(n == 1 ? singular : plural);
}
}  // namespace

std::string min_length(std::size_t n) { return "String should have at least " + counted(n, "character", "characters"); }
std::string max_length(std::size_t n) { return "String should have at most " + counted(n, "character", "characters"); }
std::string pattern(std::string_view source) { return "String should match pattern '" + std::string(source) + "'"; }
std::string min_items(std::size_t n, std::size_t actual) {
  return "List should have at least " + counted(n, "item", "items") + " after validation, not " +
         std::to_string(actual);
}
std::string max_items(std::size_t n, std::size_t actual) {
  return "List should have at most " + counted(n, "item", "items") + " after validation, not " + std::to_string(actual);
}
std::string min_properties(std::size_t n, std::size_t actual) {
  return "Dictionary should have at least " + counted(n, "item", "items") + " after validation, not " +
         std::to_string(actual);
}
std::string max_properties(std::size_t n, std::size_t actual) {
  return "Dictionary should have at most " + counted(n, "item", "items") + " after validation, not " +
         std::to_string(actual);
}

std::string one_of_literals(const std::vector<const json::value*>& values) {
  std::string out = "Input should be ";
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (i > 0) out += (i + 1 == values.size()) ? " or " : ", ";
    out += render_literal(*values[i]);
  }
  return out;
}

std::string unique_items(std::size_t first, std::size_t second) {
  return "List should have unique items (item " + std::to_string(second) + " equals item " + std::to_string(first) +
         ")";
}
std::string contains() { return "List should contain at least one item matching the schema"; }
std::string not_schema() { return "Input should not match the excluded schema"; }
std::string false_schema() { return "No value is allowed here"; }
std::string one_of_many(std::size_t matched) {
  return "Input should match exactly one of the allowed schemas, but matched " + std::to_string(matched);
}
std::string property_name(std::string_view name, std::string_view inner) {
  return "Invalid property name '" + echo_prefix(name) + "': " + std::string(inner);
}
std::string dependency_required(std::string_view present) {
  return "Field required when '" + std::string(present) + "' is present";
}
std::string format(std::string_view format_name) { return "Input should be a valid " + std::string(format_name); }
std::string tag_mismatch(std::string_view tag_text, std::string_view property, const std::vector<std::string>& tags) {
  std::string out = "Input tag '" + echo_prefix(tag_text) + "' found using '" + std::string(property) +
                    "' does not match any of the expected tags: ";
  for (std::size_t i = 0; i < tags.size(); ++i) {
    if (i > 0) out += ", ";
    out += "'" + tags[i] + "'";
  }
  return out;
}
std::string too_deep(int limit) { return "Input is nested too deeply (limit " + std::to_string(limit) + " levels)"; }
std::string schema_recursion(int limit) {
  return "Schema recursion is too deep (limit " + std::to_string(limit) + " levels)";
}
std::string too_many_arguments(std::size_t expected, std::size_t found) {
  return "Too many arguments (expected " + std::to_string(expected) + ", found " + std::to_string(found) + ")";
}

}  // namespace mw::schema::messages
