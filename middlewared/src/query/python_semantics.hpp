#pragma once
// Python's view of JSON values, as filter_list needs it: type names and repr for messages,
// equality (1 == 1.0 == true) and ordering (numbers numerically, strings by code point, lists
// lexicographically; anything else is a TypeError, which we raise as CallError(EINVAL)).
#include <optional>
#include <string>

#include <middlewared/json.hpp>
#include <mw/util/python.hpp>

namespace mw::query {

// "NoneType", "bool", "int", "float", "str", "list" or "dict".
const char* python_type_name(const json::value& v);

// repr(): None/True/False, 'single-quoted' strings, [a, b], {'k': v}.
using util::python_repr;

// str(): strings as they are, everything else as repr().
std::string python_str(const json::value& v);

bool python_equal(const json::value& a, const json::value& b);

// -1, 0 or 1 when Python can order the two values; nullopt when it would raise TypeError.
std::optional<int> python_order(const json::value& a, const json::value& b);

// Throws CallError(EINVAL) "'<op>' not supported between instances of 'A' and 'B'".
[[noreturn]] void throw_unorderable(const char* op, const char* left_type, const char* right_type);

// Ordering for sorting: values equal by python_equal tie (as Python's tuple comparison checks ==
// first); otherwise python_order, throwing as the '<' operator would when it cannot order them.
int python_sort_compare(const json::value& a, const json::value& b);

// Python's `item in container` for a list, string or dict container; throws CallError(EINVAL)
// with Python's TypeError text for anything else.
bool python_contains(const json::value& container, const json::value& item);

}  // namespace mw::query
