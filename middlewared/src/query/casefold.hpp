#pragma once
// str.casefold() for the `C` operator prefix. Covers ASCII, Latin-1, Latin Extended-A, Greek and
// Cyrillic (the scripts VM names and descriptions use in practice); other code points, and bytes
// that are not valid UTF-8, pass through unchanged.
#include <string>
#include <string_view>

namespace mw::query {

std::string casefold(std::string_view text);

}  // namespace mw::query
