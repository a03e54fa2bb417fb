#pragma once
// Output formatting that matches what the Python midclt prints: `print(rv)` for
// int/str results, `json.dumps(rv)` (", " / ": " separators, ASCII-only escapes) for the rest,
// and `pprint.pformat` for error `extra` values.
#include <string>

#include <boost/json/value.hpp>

namespace midclt {

// A float as json.dumps writes it: Python's repr() (shortest round-trip digits, "1e+16" /
// "1e-05", ".0" on integral values), but NaN / Infinity / -Infinity for the values JSON lacks.
std::string dumps_float(double value);

// json.dumps(value) with Python's default separators and ensure_ascii=True.
std::string python_dumps(const boost::json::value& value);

// Compact JSON for the wire (no spaces, UTF-8 kept), floats written the Python way.
std::string wire_dumps(const boost::json::value& value);

// What `print(rv)` shows for a call result: ints and strings raw (booleans as True/False),
// everything else through python_dumps. No trailing newline.
std::string python_print_form(const boost::json::value& value);

// pprint.pformat(value) for JSON-shaped data: Python repr (single quotes, True/False/None),
// dict keys sorted, wrapped at 80 columns the way pprint indents.
std::string python_pformat(const boost::json::value& value);

// Python truthiness of a JSON value (None, False, 0, "", [], {} are false).
bool python_truthy(const boost::json::value& value);

// The Python client decodes extended JSON on receipt and encodes it again before printing;
// this applies that round trip ($date loses sub-second precision, $type/$value key order).
boost::json::value ejson_round_trip(const boost::json::value& value);

}  // namespace midclt
