#pragma once
// The core side of the plugin API's SchemaCheck: a compiled (sub)schema reporting its issues
// as ValidationErrors, located as method params errors are.
#include <memory>

#include <middlewared/schema_check.hpp>

#include "schema/compiled_schema.hpp"

namespace mw::schema {

std::shared_ptr<const SchemaCheck> make_schema_check(CompiledSchema schema);

}  // namespace mw::schema
