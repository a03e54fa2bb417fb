#pragma once
// A schema from the daemon's schema files, compiled by the core's validator, for a plugin that
// must check a value its method's params schema cannot (e.g. given fields merged with stored ones).
#include <string>

#include <middlewared/errors.hpp>
#include <middlewared/json.hpp>

namespace mw {

class SchemaCheck {
 public:
  virtual ~SchemaCheck() = default;
  // Fills the schema's defaults into `value`, then adds one error per problem, located as the
  // params validator locates them: "<prefix>.<path>" (a discriminated union's tag included).
  virtual void validate(json::value& value, const std::string& prefix, ValidationErrors& errors) const = 0;
  // The schema as written (for choices listed in it).
  virtual const json::value& source() const = 0;
};

}  // namespace mw
