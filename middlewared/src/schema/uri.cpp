#include "schema/uri.hpp"

#include <cctype>
#include <optional>

namespace mw::schema {

namespace {

struct Components {
  std::optional<std::string> scheme;
  std::optional<std::string> authority;
  std::string path;
  std::optional<std::string> query;
  std::optional<std::string> fragment;
};

std::size_t scheme_length(std::string_view uri) {
  if (uri.empty() || !std::isalpha(static_cast<unsigned char>(uri[0]))) return 0;
  for (std::size_t i = 1; i < uri.size(); ++i) {
    char c = uri[i];
    if (c == ':') return i;
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '+' && c != '-' && c != '.') return 0;
  }
  return 0;
}

Components parse(std::string_view uri) {
  Components c;
  if (auto hash = uri.find('#'); hash != std::string_view::npos) {
    c.fragment = std::string(uri.substr(hash + 1));
    uri = uri.substr(0, hash);
  }
  if (auto q = uri.find('?'); q != std::string_view::npos) {
    c.query = std::string(uri.substr(q + 1));
    uri = uri.substr(0, q);
  }
  if (std::size_t n = scheme_length(uri); n > 0) {
    c.scheme = std::string(uri.substr(0, n));
    uri = uri.substr(n + 1);
  }
  if (uri.substr(0, 2) == "//") {
    uri = uri.substr(2);
    auto slash = uri.find('/');
    c.authority = std::string(uri.substr(0, slash));
    uri = slash == std::string_view::npos ? std::string_view{} : uri.substr(slash);
  }
  c.path = std::string(uri);
  return c;
}

// RFC 3986 5.2.4.
std::string remove_dot_segments(std::string_view input) {
  std::string out;
  std::string in(input);
  while (!in.empty()) {
    if (in.rfind("../", 0) == 0) {
      in.erase(0, 3);
    } else if (in.rfind("./", 0) == 0) {
      in.erase(0, 2);
    } else if (in.rfind("/./", 0) == 0) {
      in.erase(0, 2);
    } else if (in == "/.") {
      in = "/";
    } else if (in.rfind("/../", 0) == 0 || in == "/..") {
      in = in == "/.." ? "/" : in.substr(3);
      auto last = out.rfind('/');
      out.erase(last == std::string::npos ? 0 : last);
    } else if (in == "." || in == "..") {
      in.clear();
    } else {
      std::size_t start = in[0] == '/' ? 1 : 0;
      auto next = in.find('/', start);
      out += in.substr(0, next);
      in.erase(0, next == std::string::npos ? in.size() : next);
    }
  }
  return out;
}

std::string merge(const Components& base, const std::string& ref_path) {
  if (base.authority && base.path.empty()) return "/" + ref_path;
  auto last = base.path.rfind('/');
  if (last == std::string::npos) return ref_path;
  return base.path.substr(0, last + 1) + ref_path;
}

std::string recompose(const Components& c) {
  std::string out;
  if (c.scheme) out += *c.scheme + ":";
  if (c.authority) out += "//" + *c.authority;
  out += c.path;
  if (c.query) out += "?" + *c.query;
  if (c.fragment) out += "#" + *c.fragment;
  return out;
}

}  // namespace

bool has_scheme(std::string_view uri) { return scheme_length(uri) > 0; }

std::string resolve_uri(std::string_view base_text, std::string_view reference) {
  Components ref = parse(reference);
  Components base = parse(base_text);
  Components t;
  if (ref.scheme) {
    t = ref;
    t.path = remove_dot_segments(ref.path);
  } else {
    t.scheme = base.scheme;
    if (ref.authority) {
      t.authority = ref.authority;
      t.path = remove_dot_segments(ref.path);
      t.query = ref.query;
    } else {
      t.authority = base.authority;
      if (ref.path.empty()) {
        t.path = base.path;
        t.query = ref.query ? ref.query : base.query;
      } else {
        t.path = ref.path.front() == '/' ? remove_dot_segments(ref.path)
                                         : remove_dot_segments(merge(base, ref.path));
        t.query = ref.query;
      }
    }
    t.fragment = ref.fragment;
  }
  return recompose(t);
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
