#pragma once
// The one JSON type of the project: Boost.JSON, aliased so signatures stay short.
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/string.hpp>
#include <boost/json/value.hpp>

namespace mw {
namespace json = boost::json;
}  // namespace mw
