#pragma once
// The `format` values this validator checks. Every other format name is accepted as valid, as
// draft-07 allows: date, time... see is_checked_format().
#include <string_view>

namespace mw::schema {

// date-time, date, time, ipv4, ipv6, uuid, regex.
bool is_checked_format(std::string_view format);

// True when `text` is valid for `format` (always true for a format that is not checked).
bool check_format(std::string_view format, std::string_view text);

}  // namespace mw::schema
