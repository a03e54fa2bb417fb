#include "text_utils.hpp"

#include <cctype>
#include <charconv>
#include <stdexcept>

namespace mw::vm {

std::vector<std::string> shell_split(const std::string& text) {
  std::vector<std::string> out;
  std::string token;
  bool in_token = false;
  std::size_t i = 0;
  while (i < text.size()) {
    char c = text[i];
    if (std::isspace(static_cast<unsigned char>(c))) {
      if (in_token) out.push_back(std::move(token)), token.clear(), in_token = false;
      ++i;
    } else if (c == '\\') {
      if (i + 1 >= text.size()) throw std::invalid_argument("No escaped character");
      token += text[i + 1];
      in_token = true;
      i += 2;
    } else if (c == '\'' || c == '"') {
      std::size_t j = i + 1;
      in_token = true;
      for (;; ++j) {
        if (j >= text.size()) throw std::invalid_argument("No closing quotation");
        if (text[j] == c) break;
        // Inside double quotes a backslash only escapes a double quote or a backslash.
        if (c == '"' && text[j] == '\\' && j + 1 < text.size() && (text[j + 1] == '"' || text[j + 1] == '\\')) {
          token += text[++j];
          continue;
        }
        token += text[j];
      }
      i = j + 1;
    } else {
      token += c;
      in_token = true;
      ++i;
    }
  }
  if (in_token) out.push_back(std::move(token));
  return out;
}

std::optional<std::set<int>> parse_cpuset(const std::string& text) {
  std::set<int> cpus;
  if (text.empty()) return std::nullopt;
  std::size_t pos = 0;
  auto number = [&](int& value) {
    auto [p, ec] = std::from_chars(text.data() + pos, text.data() + text.size(), value);
    if (ec != std::errc() || value < 0) return false;
    pos = static_cast<std::size_t>(p - text.data());
    return true;
  };
  while (pos < text.size()) {
    int first = 0;
    if (!number(first)) return std::nullopt;
    int last = first;
    if (pos < text.size() && text[pos] == '-') {
      ++pos;
      if (!number(last) || last < first) return std::nullopt;
    }
    if (last - first > 65536) return std::nullopt;
    for (int c = first; c <= last; ++c) cpus.insert(c);
    if (pos < text.size()) {
      if (text[pos] != ',' || pos + 1 == text.size()) return std::nullopt;
      ++pos;
    }
  }
  return cpus;
}

std::string python_list_repr(const std::vector<std::string>& items) {
  std::string out = "[";
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (i) out += ", ";
    out += "'" + items[i] + "'";
  }
  return out + "]";
}

std::string join_or(const std::vector<std::string>& quoted) {
  std::string out;
  for (std::size_t i = 0; i < quoted.size(); ++i) {
    if (i) out += (i + 1 == quoted.size()) ? " or " : ", ";
    out += quoted[i];
  }
  return out;
}

}  // namespace mw::vm
