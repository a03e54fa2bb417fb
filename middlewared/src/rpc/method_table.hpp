#pragma once
// Every registered method with its compiled schemas. The only file of the core that knows the
// schema library's API. At start the daemon refuses to run when a method lacks a schema file or
// a schema does not compile, naming the file (ARCHITECTURE.md).
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <middlewared/embedded.hpp>
#include <middlewared/method.hpp>
#include <middlewared/schema_check.hpp>

namespace mw::schema {
class MethodSchema;
class SchemaSet;
}  // namespace mw::schema

namespace mw::rpc {

struct MethodEntry {
  MethodSpec spec;
  std::string params_file;  // relative to schemas/, e.g. "vm/create.params.json"
  std::string result_file;
  json::value params_schema;
  json::value result_schema;
  // What core.get_methods shows (TrueNAS's shape): one self-contained schema per argument, and
  // the result's in a one-element list.
  json::array accepts;
  json::array returns;
  std::shared_ptr<const schema::MethodSchema> schema;
  std::vector<bool> secret_positions;  // audit::secret_positions of params_schema

  // Validates and completes `params` in place; throws ValidationErrors.
  void validate_params(json::array& params) const;
  // Debug builds: a result that breaks its schema is a server bug; returns the problems found.
  std::vector<std::string> check_result(const json::value& result) const;
  // `params` as others may see them (a job's `arguments`): secrets masked as in the audit log.
  json::array shown_params(const json::array& params) const;
};

class MethodTable {
 public:
  MethodTable();
  ~MethodTable();

  void add(MethodSpec spec);  // throws std::invalid_argument on a duplicate name
  // Loads schema documents (every file under schemas/) and compiles each method's pair.
  // Throws std::runtime_error naming the first missing or broken file.
  void compile(const std::vector<std::pair<std::string, std::string>>& schema_files);

  const MethodEntry* find(std::string_view name) const;
  // A schema of the compiled files by "<file>#<pointer>" (PluginContext::compile_schema).
  std::shared_ptr<const SchemaCheck> compile_schema(const std::string& ref);
  std::vector<MethodInfo> infos() const;
  std::size_t size() const { return methods_.size(); }

  // "vm.device.create" -> "vm/device/create"
  static std::string schema_stem(std::string_view method);

 private:
  std::map<std::string, MethodEntry, std::less<>> methods_;
  std::unique_ptr<schema::SchemaSet> set_;
  std::mutex set_mutex_;  // compile_schema may run on any thread; SchemaSet::compile is not thread-safe
};

}  // namespace mw::rpc
