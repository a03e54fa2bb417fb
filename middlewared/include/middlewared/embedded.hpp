#pragma once
// Files compiled into the binary by cmake/Embed.cmake (schemas, SQL migrations).
#include <string_view>
#include <vector>

namespace mw {
struct EmbeddedFile {
  std::string_view path;  // relative to the embedded tree's root, '/'-separated
  std::string_view content;
};
}  // namespace mw
