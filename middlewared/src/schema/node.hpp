#pragma once
// Internal: the compiled form of one subschema. Built once by the compiler, then only read by the
// validator (so validation may run on many threads at once). Values point into the documents
// held by the same Store, which never change after registration.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include <middlewared/json.hpp>

#include "schema/ecma_regex.hpp"

namespace mw::schema::detail {

struct Node;

enum TypeBit : std::uint8_t {
  kNull = 1,
  kBoolean = 2,
  kObject = 4,
  kArray = 8,
  kNumber = 16,
  kString = 32,
  kInteger = 64,
};

struct PropertyRule {
  std::string name;
  const Node* schema = nullptr;
  bool required = false;
  const json::value* default_value = nullptr;  // filled in when missing (fill mode)
};

struct PatternRule {
  std::unique_ptr<EcmaRegex> regex;
  const Node* schema = nullptr;
};

struct Discriminator {
  std::string property;
  std::vector<std::string> tags;      // branch order
  std::vector<const Node*> branches;  // parallel to tags
};

struct Node {
  enum class Kind : std::uint8_t { Normal, AlwaysTrue, AlwaysFalse, Ref };
  Kind kind = Kind::Normal;
  const Node* ref = nullptr;
  const json::value* source = nullptr;

  std::uint8_t type_mask = 0;  // 0: any type
  std::string type_message;

  std::vector<const json::value*> enum_values;
  std::string enum_message;
  const json::value* const_value = nullptr;
  std::string const_message;

  // numbers
  const json::value* minimum = nullptr;
  const json::value* maximum = nullptr;
  const json::value* exclusive_minimum = nullptr;
  const json::value* exclusive_maximum = nullptr;
  const json::value* multiple_of = nullptr;
  std::string minimum_message, maximum_message, exclusive_minimum_message, exclusive_maximum_message,
      multiple_of_message;

  // strings
  std::optional<std::size_t> min_length, max_length;
  std::unique_ptr<EcmaRegex> pattern;
  std::string pattern_message;
  std::string format;  // non-empty only for a format this validator checks
  std::string format_message;

  // arrays
  bool tuple = false;
  const Node* items = nullptr;           // !tuple
  std::vector<const Node*> tuple_items;  // tuple
  std::vector<const json::value*> tuple_defaults;
  bool has_tuple_defaults = false;
  const Node* additional_items = nullptr;
  std::optional<std::size_t> min_items, max_items;
  bool unique_items = false;
  const Node* contains = nullptr;

  // objects
  std::vector<PropertyRule> properties;
  std::unordered_set<std::string_view> property_names_set;  // views into `properties`
  bool has_property_defaults = false;
  std::vector<PatternRule> pattern_properties;
  const Node* additional_properties = nullptr;
  std::vector<std::string> required_elsewhere;  // required names not under `properties`
  std::optional<std::size_t> min_properties, max_properties;
  const Node* property_names = nullptr;
  std::vector<std::pair<std::string, std::vector<std::string>>> dependent_required;
  std::vector<std::pair<std::string, const Node*>> dependent_schemas;

  // combinators
  std::vector<const Node*> all_of, any_of, one_of;
  std::unique_ptr<Discriminator> discriminator;  // replaces one_of/any_of checking
  const Node* not_schema = nullptr;
  const Node* if_schema = nullptr;
  const Node* then_schema = nullptr;
  const Node* else_schema = nullptr;

  std::optional<std::string> error_message;  // custom `errorMessage`
};

// Follows $ref links to the node that does the work (cycles were rejected at compile time).
inline const Node* resolved(const Node* n) {
  while (n != nullptr && n->kind == Node::Kind::Ref) n = n->ref;
  return n;
}

}  // namespace mw::schema::detail
