#include "schema/json_pointer.hpp"

#include <charconv>

namespace mw::schema {

std::string escape_pointer_token(std::string_view token) {
  std::string out;
  out.reserve(token.size());
  for (char c : token) {
    if (c == '~') {
      out += "~0";
    } else if (c == '/') {
      out += "~1";
    } else {
      out += c;
    }
  }
  return out;
}

std::optional<std::vector<std::string>> parse_pointer(std::string_view pointer) {
  std::vector<std::string> tokens;
  if (pointer.empty()) return tokens;
  if (pointer.front() != '/') return std::nullopt;
  std::string current;
  for (std::size_t i = 1; i <= pointer.size(); ++i) {
    if (i == pointer.size() || pointer[i] == '/') {
      tokens.push_back(std::move(current));
      current.clear();
      continue;
    }
    char c = pointer[i];
    if (c == '~') {
      if (i + 1 >= pointer.size()) return std::nullopt;
      char next = pointer[++i];
      if (next == '0') {
        current += '~';
      } else if (next == '1') {
        current += '/';
      } else {
        return std::nullopt;
      }
    } else {
      current += c;
    }
  }
  return tokens;
}

const json::value* step_into(const json::value& parent, std::string_view token) {
  if (const auto* obj = parent.if_object()) {
    auto it = obj->find(token);
    return it == obj->end() ? nullptr : &it->value();
  }
  if (const auto* arr = parent.if_array()) {
    if (token.empty() || (token.size() > 1 && token.front() == '0')) return nullptr;
    std::size_t index = 0;
    auto [ptr, ec] = std::from_chars(token.data(), token.data() + token.size(), index);
    if (ec != std::errc() || ptr != token.data() + token.size()) return nullptr;
    return index < arr->size() ? &(*arr)[index] : nullptr;
  }
  return nullptr;
}

}  // namespace mw::schema
