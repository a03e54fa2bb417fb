#pragma once
// What $id/$ref need of RFC 3986: resolve a reference against a base (Boost.URL), split off the
// fragment, and tell an absolute URI.
#include <string>
#include <string_view>

namespace mw::schema {

// `reference` resolved against the absolute `base` (RFC 3986 section 5.2, with dot-segment
// removal, by boost::urls::resolve). Works for "mw:///vm/a.json" + "../common/q.json#/definitions/x" as for http URIs.
std::string resolve_uri(std::string_view base, std::string_view reference);

// Splits "abs#frag" into the part before '#' and the (still %-encoded) fragment after it.
struct UriParts {
  std::string without_fragment;
  std::string fragment;
  bool has_fragment = false;
};
UriParts split_fragment(std::string_view uri);

// True when the text starts with a scheme ("mw:", "http:"), i.e. is an absolute URI.
bool has_scheme(std::string_view uri);

}  // namespace mw::schema
