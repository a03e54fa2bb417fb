#pragma once
// The pydantic-style text the vm plugin's messages need (the Python-compatible helpers are in
// mw_util: <mw/util/python.hpp>).
#include <string>
#include <vector>

namespace mw::vm {

// pydantic's "'A', 'B' or 'C'" rendering of allowed literal values (already quoted as wanted).
std::string join_or(const std::vector<std::string>& quoted);

}  // namespace mw::vm
