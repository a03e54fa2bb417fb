#pragma once
// Internal: walks an instance against a compiled Node tree, collecting issues.
#include <vector>

#include <middlewared/json.hpp>

#include "schema/compile_options.hpp"
#include "schema/issue.hpp"
#include "schema/node.hpp"

namespace mw::schema::detail {

// `mutable_instance` is the same value as `instance` when defaults should be filled, else null.
// `out` null: only the verdict is wanted (stops at the first problem).
bool run_validation(const Node& root, const CompileOptions& options, const json::value& instance,
                    json::value* mutable_instance, std::vector<Issue>* out);

}  // namespace mw::schema::detail
