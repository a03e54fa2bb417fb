#pragma once
// The pieces of Python's behaviour that the TrueNAS API shows its clients, written once: repr()
// of JSON values, shlex.split(), str.casefold() and the numeric CPU sets ("0-3,6") of VM settings.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/fwd.hpp>

namespace mw::util {

// repr(): None/True/False, 'single-quoted' strings (double quotes when the text holds a ' and no
// "), floats in Python's shortest form ("1.0", "1e+16", "nan"), [a, b], {'k': v} in the
// dict's own order.
std::string python_repr(const boost::json::value& value);
// The repr pprint writes: the same, but dict keys sorted (pprint's sort_dicts).
std::string pprint_repr(const boost::json::value& value);
// repr() of one str.
std::string python_str_repr(std::string_view text);
// repr() of one float.
std::string python_float_repr(double value);

// shlex.split(text) (POSIX mode, no comments): white space separates words, '...' keeps
// everything, "..." lets a backslash escape only '"' and '\', a bare backslash escapes the next
// character. Throws std::invalid_argument("No closing quotation" / "No escaped character").
std::vector<std::string> shlex_split(std::string_view text);

// str.casefold() for ASCII, Latin-1, Latin Extended-A, Greek and Cyrillic (the scripts VM names
// and descriptions use in practice); other code points, and bytes that are not valid UTF-8, pass
// through unchanged.
std::string casefold(std::string_view text);

// A numeric CPU or NUMA node set such as "0-3,6": the numbers in written order, each once;
// nullopt when empty or malformed (a range going down, a trailing comma, a range of more than
// 65536 numbers).
std::optional<std::vector<int>> parse_cpuset(std::string_view text);

}  // namespace mw::util
