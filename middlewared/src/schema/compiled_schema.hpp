#pragma once
// A compiled (sub)schema: cheap to copy, safe to use from many threads at once, valid as long as
// any copy lives (it shares ownership of the SchemaSet's compiled nodes).
#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <middlewared/json.hpp>

#include "schema/issue.hpp"

namespace mw::schema {

namespace detail {
struct Store;
struct Node;
}  // namespace detail

class CompiledSchema {
 public:
  CompiledSchema() = default;
  explicit operator bool() const { return node_ != nullptr; }

  // Every issue, in document order; empty when valid. The instance is not changed.
  std::vector<Issue> validate(const json::value& instance) const;
  // Same, but first fills `default` values into the instance in place (missing properties,
  // missing trailing positions of `items` arrays), so the filled values are validated too.
  std::vector<Issue> validate_and_fill(json::value& instance) const;
  // Fast yes/no (stops at the first problem).
  bool is_valid(const json::value& instance) const;

  // The schema's JSON as written.
  const json::value& source() const;
  // The URI it was compiled from (sub-schemas handed out below keep their parent's).
  const std::string& uri() const { return uri_; }
  // A keyword's value as written on this schema or, when it is a $ref, on the first schema
  // along its $ref chain that has it (title, default, description...); nullptr if none.
  const json::value* find_keyword(std::string_view key) const;

  // For positional (`items` array) schemas, as method params are.
  bool is_tuple() const;
  std::size_t tuple_size() const;
  CompiledSchema tuple_item(std::size_t index) const;
  // `additionalItems: false` (a tuple with a fixed maximum length).
  bool forbids_additional_items() const;
  // The `additionalItems` schema when it is one (not `false`), else empty.
  CompiledSchema additional_items() const;
  std::optional<std::size_t> min_items() const;

 private:
  friend class SchemaSet;
  CompiledSchema(std::shared_ptr<const detail::Store> store, const detail::Node* node, std::string uri)
      : store_(std::move(store)), node_(node), uri_(std::move(uri)) {}
  const detail::Node* work_node() const;

  std::shared_ptr<const detail::Store> store_;
  const detail::Node* node_ = nullptr;
  std::string uri_;
};

}  // namespace mw::schema
