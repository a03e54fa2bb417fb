#include "text_utils.hpp"

namespace mw::vm {

std::string join_or(const std::vector<std::string>& quoted) {
  std::string out;
  for (std::size_t i = 0; i < quoted.size(); ++i) {
    if (i) out += (i + 1 == quoted.size()) ? " or " : ", ";
    out += quoted[i];
  }
  return out;
}

}  // namespace mw::vm
