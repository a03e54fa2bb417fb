#pragma once
// One validation problem: where in the instance (pydantic-style location) and what.
#include <cstddef>
#include <string>
#include <variant>
#include <vector>

#include <middlewared/json.hpp>

namespace mw::schema {

// A location step: an object key or an array index. `is_tag` marks the tag value a discriminated
// union inserts (pydantic's `attributes.DISPLAY.port`); it is part of the location but not of the
// JSON pointer, which names the real place in the instance.
struct PathItem {
  std::variant<std::string, std::size_t> key;
  bool is_tag = false;
  bool operator==(const PathItem&) const = default;
};

struct Issue {
  std::vector<PathItem> path;
  std::string message;

  // RFC 6901 pointer into the instance ("" = the instance itself); tags are skipped.
  std::string pointer() const;
  // Components joined with '.', indexes as numbers ("a.0.b"); "" for the instance itself.
  std::string dotted() const;
  // The location as a JSON list of strings and integers (tags included).
  json::array loc() const;
  bool operator==(const Issue&) const = default;
};

}  // namespace mw::schema
