// Embedded "NNNN_description.sql" files -> ordered, gap-free migrations.
#include <middlewared/datastore.hpp>

#include <algorithm>
#include <stdexcept>
#include <string>

namespace mw {
namespace {

// The file name without its folders.
std::string_view base_name(std::string_view path) {
  auto slash = path.rfind('/');
  return slash == std::string_view::npos ? path : path.substr(slash + 1);
}

Migration parse_one(const EmbeddedFile& file) {
  std::string_view name = base_name(file.path);
  std::size_t digits = 0;
  while (digits < name.size() && name[digits] >= '0' && name[digits] <= '9') ++digits;
  constexpr std::string_view kSuffix = ".sql";
  bool shaped = digits > 0 && digits < name.size() && name[digits] == '_' &&
                name.size() > digits + 1 + kSuffix.size() && name.ends_with(kSuffix);
  if (!shaped)
    throw std::runtime_error("migration file '" + std::string(file.path) + "' is not named NNNN_description.sql");
  Migration m;
  m.version = std::stoi(std::string(name.substr(0, digits)));
  m.name = std::string(name.substr(digits + 1, name.size() - digits - 1 - kSuffix.size()));
  m.sql = std::string(file.content);
  return m;
}

}  // namespace

std::vector<Migration> migrations_from_files(const std::vector<EmbeddedFile>& files) {
  std::vector<Migration> out;
  out.reserve(files.size());
  for (const auto& f : files) out.push_back(parse_one(f));
  std::sort(out.begin(), out.end(), [](const Migration& a, const Migration& b) { return a.version < b.version; });
  for (std::size_t i = 0; i < out.size(); ++i) {
    int expected = static_cast<int>(i) + 1;
    if (out[i].version == expected) continue;
    if (i > 0 && out[i].version == out[i - 1].version)
      throw std::runtime_error("duplicate migration version " + std::to_string(out[i].version));
    throw std::runtime_error("missing migration version " + std::to_string(expected));
  }
  return out;
}

}  // namespace mw
