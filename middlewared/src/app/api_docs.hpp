#pragma once
// The generated API reference (docs/api/): one Markdown page per namespace ("vm", "vm.device",
// ...) from the method registry and the schema files, plus an index. Every public method gets its
// description, roles, job flag, params and result schemas and an example request. Pages depend
// only on the registry and schemas/, never on the host, so a stale copy in the repository is
// detected by regenerating and comparing.
#include <filesystem>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include <middlewared/method.hpp>

namespace mw::app {

struct ApiDocPage {
  std::string file_name;  // "vm.device.md", "README.md"
  std::string text;
};

using SchemaFiles = std::vector<std::pair<std::string, std::string>>;  // path under schemas/, text

// `excluded_namespaces`: first name segments left out (the test-only plugin's "test").
std::vector<ApiDocPage> render_api_docs(const std::vector<MethodInfo>& methods, const SchemaFiles& schemas,
                                        const std::set<std::string>& excluded_namespaces);

// Writes the pages into `dir` (created if needed) and removes other *.md files there, so a
// namespace that went away leaves no page behind. Returns the number of pages written.
std::size_t write_api_docs(const std::filesystem::path& dir, const std::vector<ApiDocPage>& pages);

// An example params array for a method's params schema: its first `examples` entry when it has
// one, else the first minItems items built from examples/defaults/types, resolving `$ref`s
// against `schemas` relative to `schema_path`.
json::array example_params(const json::value& params_schema, const std::string& schema_path,
                           const SchemaFiles& schemas);

// A fresh directory under $TMPDIR (or /tmp), removed with everything in it on destruction: the
// state dir plugins are set up on while the reference is generated.
class ScratchDir {
 public:
  ScratchDir();
  ~ScratchDir();
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

// Indented JSON (two spaces), keys in document order.
std::string pretty_json(const json::value& value);

}  // namespace mw::app
