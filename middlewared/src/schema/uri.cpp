#include "schema/uri.hpp"

#include <cctype>

#include <boost/url/parse.hpp>
#include <boost/url/url.hpp>

namespace mw::schema {

namespace {

std::size_t scheme_length(std::string_view uri) {
  if (uri.empty() || !std::isalpha(static_cast<unsigned char>(uri[0]))) return 0;
  for (std::size_t i = 1; i < uri.size(); ++i) {
    char c = uri[i];
    if (c == ':') return i;
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '+' && c != '-' && c != '.') return 0;
  }
  return 0;
}

}  // namespace

bool has_scheme(std::string_view uri) { return scheme_length(uri) > 0; }

std::string resolve_uri(std::string_view base_text, std::string_view reference) {
  auto base = boost::urls::parse_uri(base_text);
  auto ref = boost::urls::parse_uri_reference(reference);
  boost::urls::url out;
  if (base && ref && boost::urls::resolve(*base, *ref, out)) return std::string(out.buffer());
  // Not URIs by RFC 3986's grammar (a $ref holding a space, say): a fragment-only reference still
  // points into the base document, anything else is taken as it is written.
  if (reference.starts_with('#')) return split_fragment(base_text).without_fragment + std::string(reference);
  return std::string(reference);
}

UriParts split_fragment(std::string_view uri) {
  UriParts parts;
  auto hash = uri.find('#');
  if (hash == std::string_view::npos) {
    parts.without_fragment = std::string(uri);
  } else {
    parts.without_fragment = std::string(uri.substr(0, hash));
    parts.fragment = std::string(uri.substr(hash + 1));
    parts.has_fragment = true;
  }
  return parts;
}

}  // namespace mw::schema
