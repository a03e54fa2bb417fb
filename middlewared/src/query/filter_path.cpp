#include "filter_path.hpp"

#include <charconv>
#include <optional>

namespace mw::query {
namespace {

const json::value& null_value() {
  static const json::value null;  // immutable: the value an out-of-range index reaches
  return null;
}

PathComponent make_component(std::string key) {
  PathComponent c;
  c.star = key == "*";
  if (!key.empty()) {
    const char* first = key.data();
    const char* last = key.data() + key.size();
    long long n = 0;
    auto [ptr, ec] = std::from_chars(first, last, n);
    if (ec == std::errc() && ptr == last && key[0] != '+') {
      c.has_index = true;
      c.index = n;
    }
  }
  c.key = std::move(key);
  return c;
}

// Resolves a list index Python-style; nullopt when out of range.
std::optional<std::size_t> list_position(const json::array& list, long long index) {
  const auto size = static_cast<long long>(list.size());
  if (index < 0) index += size;
  if (index < 0 || index >= size) return std::nullopt;
  return static_cast<std::size_t>(index);
}

bool walk(const json::value& v, const Path& path, std::size_t i, PathVisitor visit, const void* context) {
  if (i == path.size()) return visit(context, v);
  const PathComponent& c = path[i];
  if (v.is_object()) {
    if (c.star) return false;
    const auto& obj = v.get_object();
    auto it = obj.find(c.key);
    return it != obj.end() && walk(it->value(), path, i + 1, visit, context);
  }
  if (v.is_array()) {
    const auto& list = v.get_array();
    if (c.star) {
      // Elements that are not dicts are skipped when the path goes on; as the last
      // component `*` reaches every element.
      const bool last = i + 1 == path.size();
      for (const auto& e : list) {
        if (!last && !e.is_object()) continue;
        if (walk(e, path, i + 1, visit, context)) return true;
      }
      return false;
    }
    if (!c.has_index) return false;
    auto pos = list_position(list, c.index);
    return walk(pos ? list[*pos] : null_value(), path, i + 1, visit, context);
  }
  // A scalar before the end of the path is the value (this is what makes `x.$date` work).
  if (c.star) return false;
  return visit(context, v);
}

const json::value* find_from(const json::value& root, const Path& path, std::size_t start) {
  const json::value* v = &root;
  for (std::size_t i = start; i < path.size(); ++i) {
    const PathComponent& c = path[i];
    if (v->is_object()) {
      if (c.star) return nullptr;
      auto it = v->get_object().find(c.key);
      if (it == v->get_object().end()) return nullptr;
      v = &it->value();
    } else if (v->is_array()) {
      if (!c.has_index) return nullptr;
      auto pos = list_position(v->get_array(), c.index);
      v = pos ? &v->get_array()[*pos] : &null_value();
    } else {
      return c.star ? nullptr : v;
    }
  }
  return v;
}

}  // namespace

Path parse_path(std::string_view text) {
  Path path;
  std::string current;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char ch = text[i];
    if (ch == '\\' && i + 1 < text.size() && text[i + 1] == '.') {
      current += '.';
      ++i;
    } else if (ch == '.') {
      path.push_back(make_component(std::move(current)));
      current.clear();
    } else {
      current += ch;
    }
  }
  path.push_back(make_component(std::move(current)));
  return path;
}

bool any_path_value(const json::value& root, const Path& path, PathVisitor visit, const void* context) {
  return walk(root, path, 0, visit, context);
}

// As walk() and find_path_value() do at an object: `*` reaches nothing, any other component is a key.
bool any_path_value(const RowFields& root, const Path& path, PathVisitor visit, const void* context) {
  if (path.empty() || path[0].star) return false;  // parse_path never gives an empty path
  const json::value* v = root.field(path[0].key);
  return v && walk(*v, path, 1, visit, context);
}

const json::value* find_path_value(const RowFields& root, const Path& path) {
  if (path.empty() || path[0].star) return nullptr;
  const json::value* v = root.field(path[0].key);
  return v ? find_from(*v, path, 1) : nullptr;
}

const json::value* find_path_value(const json::value& root, const Path& path) { return find_from(root, path, 0); }

}  // namespace mw::query
