#include "app/schemas.hpp"

#include <fstream>
#include <sstream>
#include <stdexcept>

#include <middlewared/embedded.hpp>

namespace mw::schemas {
const std::vector<mw::EmbeddedFile>& embedded_files();
}

namespace mw::app {

std::vector<std::pair<std::string, std::string>> embedded_schemas() {
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& f : schemas::embedded_files()) out.emplace_back(std::string(f.path), std::string(f.content));
  return out;
}

std::vector<std::pair<std::string, std::string>> schemas_from_directory(const std::filesystem::path& dir) {
  if (!std::filesystem::is_directory(dir))
    throw std::runtime_error("schema directory " + dir.string() + " does not exist");
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(dir)) {
    if (!entry.is_regular_file() || entry.path().extension() != ".json") continue;
    std::ifstream in(entry.path());
    std::stringstream ss;
    ss << in.rdbuf();
    out.emplace_back(entry.path().lexically_relative(dir).generic_string(), ss.str());
  }
  return out;
}

}  // namespace mw::app
