#pragma once
// Small text helpers with Python-compatible behaviour the API depends on.
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace mw::vm {

// POSIX shell-style split as Python's shlex.split does it. Throws std::invalid_argument with
// shlex's message ("No closing quotation", "No escaped character") on malformed input.
std::vector<std::string> shell_split(const std::string& text);

// A numeric CPU/NUMA set such as "0-3,6"; nullopt when malformed.
std::optional<std::set<int>> parse_cpuset(const std::string& text);

// Python repr of a list of strings: ['a', 'b'].
std::string python_list_repr(const std::vector<std::string>& items);

// pydantic's "'A', 'B' or 'C'" rendering of allowed literal values (already quoted as wanted).
std::string join_or(const std::vector<std::string>& quoted);

}  // namespace mw::vm
