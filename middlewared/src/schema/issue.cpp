#include "schema/issue.hpp"

#include "schema/json_pointer.hpp"

namespace mw::schema {

std::string Issue::pointer() const {
  std::string out;
  for (const auto& item : path) {
    if (item.is_tag) continue;
    out += '/';
    if (const auto* s = std::get_if<std::string>(&item.key)) {
      out += escape_pointer_token(*s);
    } else {
      out += std::to_string(std::get<std::size_t>(item.key));
    }
  }
  return out;
}

std::string Issue::dotted() const {
  std::string out;
  for (const auto& item : path) {
    if (!out.empty()) out += '.';
    if (const auto* s = std::get_if<std::string>(&item.key)) {
      out += *s;
    } else {
      out += std::to_string(std::get<std::size_t>(item.key));
    }
  }
  return out;
}

json::array Issue::loc() const {
  json::array out;
  for (const auto& item : path) {
    if (const auto* s = std::get_if<std::string>(&item.key)) {
      out.emplace_back(json::string(*s));
    } else {
      out.emplace_back(static_cast<std::uint64_t>(std::get<std::size_t>(item.key)));
    }
  }
  return out;
}

}  // namespace mw::schema
