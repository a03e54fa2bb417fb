#include "rpc/method_table.hpp"

#include <boost/json/parse.hpp>

#include <middlewared/errors.hpp>

#include "audit/audit_policy.hpp"
#include "schema/inline_refs.hpp"
#include "schema/method_schema.hpp"
#include "schema/schema_check.hpp"
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

namespace {

// A schema written out whole, without the keywords only its file needs.
json::value standalone(const json::value& schema, const std::string& file, const schema::SchemaDocuments& documents) {
  json::value out = schema::inline_refs(schema, file, documents);
  if (auto* o = out.if_object()) {
    o->erase("$schema");
    o->erase("definitions");
  }
  return out;
}

// Each argument's schema, named and marked required as TrueNAS's get_methods marks them.
json::array argument_schemas(const json::value& params, const std::string& file,
                             const schema::SchemaDocuments& documents) {
  json::array out;
  const auto* p = params.if_object();
  const auto* items = p ? p->if_contains("items") : nullptr;
  if (!items || !items->is_array()) return out;
  const auto* min = p->if_contains("minItems");
  const std::size_t required = min && min->is_int64() ? static_cast<std::size_t>(min->get_int64()) : 0;
  for (std::size_t i = 0; i < items->get_array().size(); ++i) {
    json::value arg = standalone(items->get_array()[i], file, documents);
    if (auto* o = arg.if_object()) {
      const auto* title = o->if_contains("title");
      (*o)["_name_"] = title && title->is_string() ? title->get_string() : json::string("arg" + std::to_string(i));
      (*o)["_required_"] = i < required;
    }
    out.push_back(std::move(arg));
  }
  return out;
}

}  // namespace

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

std::shared_ptr<const SchemaCheck> MethodTable::compile_schema(const std::string& ref) {
  std::lock_guard lock(set_mutex_);
  if (!set_) throw std::logic_error("schemas are compiled after every plugin's setup");
  return schema::make_schema_check(set_->compile(schema::method_schema_uri(ref)));
}

void MethodTable::compile(const std::vector<std::pair<std::string, std::string>>& schema_files) {
  // Method schemas are checked as TrueNAS (pydantic strict mode) checks: 1.0 is not an integer.
  set_ = std::make_unique<schema::SchemaSet>(schema::CompileOptions{.strict_integers = true});
  schema::SchemaDocuments documents;
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
        throw std::runtime_error("schemas/" + entry.params_file +
                                 ": params must be an array schema with an `items` list");
      entry.schema = std::make_shared<schema::MethodSchema>(std::move(params), std::move(result));
    } catch (const schema::SchemaError& e) {
      throw std::runtime_error(std::string("schema of method ") + name + " does not compile: " + e.what());
    }
    entry.params_schema = documents.at(entry.params_file);
    entry.result_schema = documents.at(entry.result_file);
    entry.secret_positions = audit::secret_positions(&entry.params_schema);
    entry.accepts = argument_schemas(entry.params_schema, entry.params_file, documents);
    entry.returns = json::array{standalone(entry.result_schema, entry.result_file, documents)};
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
  for (const auto& [name, entry] : methods_)
    out.push_back({&entry.spec, &entry.params_schema, &entry.result_schema, &entry.accepts, &entry.returns});
  return out;
}

}  // namespace mw::rpc
