#include "schema/check_schema_cli.hpp"

#include <fstream>
#include <optional>
#include <sstream>
#include <string>

#include <boost/json/parse.hpp>

#include "schema/schema_set.hpp"

namespace mw::schema {

namespace {

std::optional<std::string> read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream buffer;
  buffer << in.rdbuf();
  if (in.bad()) return std::nullopt;
  return buffer.str();
}

std::optional<json::value> parse_file(const std::filesystem::path& path, std::ostream& err) {
  auto text = read_file(path);
  if (!text) {
    err << "cannot read " << path.string() << "\n";
    return std::nullopt;
  }
  boost::system::error_code ec;
  json::value value = json::parse(*text, ec);
  if (ec) {
    err << path.string() << ": invalid JSON: " << ec.message() << "\n";
    return std::nullopt;
  }
  return value;
}

// Where a schema file is registered, and the directory its URI prefix maps to.
struct Addressing {
  std::string uri;
  std::string prefix;
  std::filesystem::path root;
  bool method_schema = false;  // under schemas/: strict integers, as the daemon checks
};

Addressing address_of(const std::filesystem::path& schema) {
  std::filesystem::path absolute = std::filesystem::absolute(schema).lexically_normal();
  std::filesystem::path root;
  for (auto it = absolute.begin(); it != absolute.end(); ++it) {
    root /= *it;
    if (*it == "schemas" && std::next(it) != absolute.end()) {
      std::filesystem::path candidate = root;
      auto rel = absolute.lexically_relative(candidate);
      // The innermost schemas/ directory wins: keep scanning.
      Addressing a{method_schema_uri(rel.generic_string()), "mw:///", candidate, true};
      bool deeper = false;
      for (auto jt = std::next(it); jt != absolute.end(); ++jt) deeper |= (*jt == "schemas");
      if (!deeper) return a;
    }
  }
  return Addressing{"file://" + absolute.generic_string(), "file://", "/"};
}

}  // namespace

int check_schema_files(const std::filesystem::path& schema, const std::filesystem::path& instance, std::ostream& out,
                       std::ostream& err) {
  auto schema_json = parse_file(schema, err);
  if (!schema_json) return 2;
  auto instance_json = parse_file(instance, err);
  if (!instance_json) return 2;

  Addressing where = address_of(schema);
  SchemaSet set(CompileOptions{.strict_integers = where.method_schema});
  set.set_loader([where](const std::string& uri) -> std::optional<json::value> {
    if (uri.rfind(where.prefix, 0) != 0) return std::nullopt;
    std::filesystem::path file = where.root / uri.substr(where.prefix.size());
    auto text = read_file(file);
    if (!text) return std::nullopt;
    boost::system::error_code ec;
    json::value value = json::parse(*text, ec);
    if (ec) return std::nullopt;
    return value;
  });
  CompiledSchema compiled;
  try {
    compiled = set.compile_document(where.uri, std::move(*schema_json));
  } catch (const SchemaError& e) {
    err << "invalid schema: " << e.what() << "\n";
    return 2;
  }
  auto issues = compiled.validate(*instance_json);
  for (const auto& issue : issues) {
    std::string pointer = issue.pointer();
    out << (pointer.empty() ? "/" : pointer) << " " << issue.message << "\n";
  }
  return issues.empty() ? 0 : 1;
}

}  // namespace mw::schema
