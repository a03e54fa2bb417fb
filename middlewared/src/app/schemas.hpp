#pragma once
// Where method schemas come from: compiled into the binary (cmake/Embed.cmake over schemas/), or
// a directory given with --schemas while editing them. Pairs of (path relative to schemas/, text).
#include <filesystem>
#include <string>
#include <utility>
#include <vector>

namespace mw::app {
std::vector<std::pair<std::string, std::string>> embedded_schemas();
std::vector<std::pair<std::string, std::string>> schemas_from_directory(const std::filesystem::path& dir);
}  // namespace mw::app
