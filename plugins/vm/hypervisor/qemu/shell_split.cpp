#include "shell_split.hpp"

#include <cctype>

namespace mw::vm::hypervisor::qemu {

std::vector<std::string> shell_split(const std::string& text) {
  std::vector<std::string> words;
  std::string word;
  bool in_word = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (std::isspace(static_cast<unsigned char>(c))) {
      if (in_word) words.push_back(std::move(word)), word.clear(), in_word = false;
      continue;
    }
    in_word = true;
    if (c == '\\') {
      if (++i == text.size()) throw std::invalid_argument("No escaped character");
      word += text[i];
    } else if (c == '\'') {
      auto end = text.find('\'', i + 1);
      if (end == std::string::npos) throw std::invalid_argument("No closing quotation");
      word.append(text, i + 1, end - i - 1);
      i = end;
    } else if (c == '"') {
      // Inside double quotes a backslash escapes only \ " $ ` and newline, as in sh.
      for (++i;; ++i) {
        if (i == text.size()) throw std::invalid_argument("No closing quotation");
        if (text[i] == '"') break;
        if (text[i] == '\\' && i + 1 < text.size() &&
            std::string_view("\\\"$`\n").find(text[i + 1]) != std::string_view::npos) {
          ++i;
        }
        word += text[i];
      }
    } else {
      word += c;
    }
  }
  if (in_word) words.push_back(std::move(word));
  return words;
}

}  // namespace mw::vm::hypervisor::qemu
