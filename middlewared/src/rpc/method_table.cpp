#include "rpc/method_table.hpp"

#include <boost/json/parse.hpp>

#include <middlewared/errors.hpp>

#include "audit/audit_policy.hpp"
#include "schema/method_schema.hpp"
#include "schema/schema_set.hpp"

namespace mw::rpc {

MethodTable::MethodTable() = default;
MethodTable::~MethodTable() = default;

std::string MethodTable::schema_stem(std::string_view method) {
  std::string stem(method);
  for (char& c : stem)
    if (c == '.') c = '/';
  return stem;
}

void MethodTable::add(MethodSpec spec) {
  if (!spec.handler) throw std::invalid_argument("method " + spec.name + " has no handler");
  std::string name = spec.name;
  MethodEntry entry;
  entry.params_file = schema_stem(name) + ".params.json";
  entry.result_file = schema_stem(name) + ".result.json";
  entry.spec = std::move(spec);
  if (!methods_.emplace(name, std::move(entry)).second)
    throw std::invalid_argument("method " + name + " is registered twice");
}

void MethodTable::compile(const std::vector<std::pair<std::string, std::string>>& schema_files) {
  // Method schemas are checked as TrueNAS (pydantic strict mode) checks: 1.0 is not an integer.
  set_ = std::make_unique<schema::SchemaSet>(schema::CompileOptions{.strict_integers = true});
  std::map<std::string, json::value, std::less<>> documents;
  for (const auto& [path, text] : schema_files) {
    boost::system::error_code ec;
    json::value doc = json::parse(text, ec);
    if (ec) throw std::runtime_error("schemas/" + path + ": not valid JSON: " + ec.message());
    documents.emplace(path, doc);
    set_->add_document(schema::method_schema_uri(path), std::move(doc));
  }
  for (auto& [name, entry] : methods_) {
    for (const auto* file : {&entry.params_file, &entry.result_file})
      if (!documents.contains(*file))
        throw std::runtime_error("method " + name + " has no schema file schemas/" + *file);
    try {
      auto params = set_->compile(schema::method_schema_uri(entry.params_file));
      auto result = set_->compile(schema::method_schema_uri(entry.result_file));
      if (!params.is_tuple())
        throw std::runtime_error("schemas/" + entry.params_file + ": params must be an array schema with an `items` list");
      entry.schema = std::make_shared<schema::MethodSchema>(std::move(params), std::move(result));
    } catch (const schema::SchemaError& e) {
      throw std::runtime_error(std::string("schema of method ") + name + " does not compile: " + e.what());
    }
    entry.params_schema = documents.at(entry.params_file);
    entry.result_schema = documents.at(entry.result_file);
    entry.secret_positions = audit::secret_positions(&entry.params_schema);
  }
}

void MethodEntry::validate_params(json::array& params) const {
  if (!schema) return;
  ValidationErrors errors = schema->validate_params(params);
  errors.throw_if_any();
}

std::vector<std::string> MethodEntry::check_result(const json::value& result) const {
  std::vector<std::string> problems;
  if (!schema) return problems;
  for (const auto& issue : schema->validate_result(result))
    problems.push_back((issue.pointer().empty() ? "/" : issue.pointer()) + ": " + issue.message);
  return problems;
}

json::array MethodEntry::shown_params(const json::array& params) const {
  return audit::redact_params(params, secret_positions);
}

const MethodEntry* MethodTable::find(std::string_view name) const {
  auto it = methods_.find(name);
  return it == methods_.end() ? nullptr : &it->second;
}

std::vector<MethodInfo> MethodTable::infos() const {
  std::vector<MethodInfo> out;
  out.reserve(methods_.size());
  for (const auto& [name, entry] : methods_) out.push_back({&entry.spec, &entry.params_schema, &entry.result_schema});
  return out;
}

}  // namespace mw::rpc
