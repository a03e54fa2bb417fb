#pragma once
// A method's contract: its params schema (a draft-07 positional array schema: `items` as an array
// of titled argument schemas, `additionalItems: false`, `minItems` = required argument count) and
// optionally its result schema. Turns schema issues into TrueNAS ValidationErrors whose
// attribute is the argument's title followed by the dotted path inside it ("vm_create.memory").
#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include <middlewared/errors.hpp>
#include <middlewared/json.hpp>

#include "schema/compiled_schema.hpp"
#include "schema/issue.hpp"

namespace mw::schema {

class MethodSchema {
 public:
  // Throws SchemaError when `params` is not a positional (`items` array) schema.
  explicit MethodSchema(CompiledSchema params, std::optional<CompiledSchema> result = std::nullopt);

  // Fills defaults for missing trailing arguments and inside objects, then validates. Empty
  // result = valid. Too many arguments is reported alone (attribute "").
  ValidationErrors validate_params(json::array& params) const;
  // The debug-build result check (no defaults).
  std::vector<Issue> validate_result(const json::value& result) const;

  std::size_t arg_count() const { return args_.size(); }
  std::size_t required_arg_count() const { return required_; }
  // Argument titles in order ("vm_create", "options").
  std::vector<std::string> arg_names() const;
  const json::value& params_schema() const { return params_.source(); }
  // nullptr when the method declares no result schema.
  const json::value* result_schema() const;

 private:
  struct Arg {
    std::string title;
    CompiledSchema schema;
    const json::value* default_value = nullptr;
  };
  CompiledSchema params_;
  std::optional<CompiledSchema> result_;
  std::vector<Arg> args_;
  std::size_t required_ = 0;
  bool closed_ = true;  // extra arguments are an error
  CompiledSchema extra_;
};

}  // namespace mw::schema
