#include "app/api_docs.hpp"

#include <stdlib.h>

#include <algorithm>
#include <cctype>
#include <fstream>
#include <map>
#include <stdexcept>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "rpc/method_table.hpp"

namespace mw::app {
namespace {

// Parsed schema documents by path, parsed on first use.
class SchemaLookup {
 public:
  explicit SchemaLookup(const SchemaFiles& files) {
    for (const auto& [path, text] : files) text_[path] = &text;
  }

  // The schema a `$ref` found in document `base` points at, with the path of its document.
  std::pair<const json::value*, std::string> resolve(const std::string& ref, const std::string& base) {
    auto hash = ref.find('#');
    std::string file = ref.substr(0, hash);
    std::string pointer = hash == std::string::npos ? "" : ref.substr(hash + 1);
    std::string path =
        file.empty() ? base : (std::filesystem::path(base).parent_path() / file).lexically_normal().generic_string();
    const json::value* doc = document(path);
    if (!doc) return {nullptr, path};
    const json::value* at = doc;
    std::size_t pos = pointer.empty() ? std::string::npos : 1;  // skip the leading '/'
    while (at && pos != std::string::npos && pos <= pointer.size()) {
      auto next = pointer.find('/', pos);
      std::string token = pointer.substr(pos, next == std::string::npos ? std::string::npos : next - pos);
      for (std::size_t i; (i = token.find("~1")) != std::string::npos;) token.replace(i, 2, "/");
      for (std::size_t i; (i = token.find("~0")) != std::string::npos;) token.replace(i, 2, "~");
      if (at->is_object()) {
        at = at->as_object().if_contains(token);
      } else if (at->is_array()) {
        std::size_t index = std::stoul(token);
        at = index < at->as_array().size() ? &at->as_array()[index] : nullptr;
      } else {
        at = nullptr;
      }
      pos = next == std::string::npos ? std::string::npos : next + 1;
    }
    return {at, path};
  }

 private:
  const json::value* document(const std::string& path) {
    if (auto it = parsed_.find(path); it != parsed_.end()) return &it->second;
    auto t = text_.find(path);
    if (t == text_.end()) return nullptr;
    return &parsed_.emplace(path, json::parse(*t->second)).first->second;
  }

  std::map<std::string, const std::string*> text_;
  std::map<std::string, json::value> parsed_;
};

json::value example_value(const json::value& schema, const std::string& path, SchemaLookup& lookup, int depth) {
  if (depth > 8 || !schema.is_object()) return nullptr;
  const json::object& s = schema.as_object();
  if (auto* e = s.if_contains("examples"); e && e->is_array() && !e->as_array().empty()) return e->as_array()[0];
  if (auto* d = s.if_contains("default")) return *d;
  if (auto* c = s.if_contains("const")) return *c;
  if (auto* e = s.if_contains("enum"); e && e->is_array() && !e->as_array().empty()) return e->as_array()[0];
  if (auto* r = s.if_contains("$ref"); r && r->is_string()) {
    auto [target, target_path] = lookup.resolve(std::string(r->as_string()), path);
    return target ? example_value(*target, target_path, lookup, depth + 1) : json::value(nullptr);
  }
  for (const char* key : {"anyOf", "oneOf", "allOf"})
    if (auto* alts = s.if_contains(key); alts && alts->is_array() && !alts->as_array().empty())
      return example_value(alts->as_array()[0], path, lookup, depth + 1);

  std::string type;
  if (auto* t = s.if_contains("type")) {
    if (t->is_string()) type = t->as_string();
    if (t->is_array())
      for (const auto& option : t->as_array())
        if (option.is_string() && option.as_string() != "null") {
          type = option.as_string();
          break;
        }
  } else if (s.contains("properties")) {
    type = "object";
  }
  if (type == "string") return "string";
  if (type == "integer" || type == "number") {
    if (auto* m = s.if_contains("minimum"); m && m->is_number()) return *m;
    return 1;
  }
  if (type == "boolean") return true;
  if (type == "object") {
    json::object out;
    const auto* props = s.if_contains("properties");
    if (auto* req = s.if_contains("required"); req && req->is_array() && props && props->is_object())
      for (const auto& name : req->as_array()) {
        if (!name.is_string()) continue;
        const json::value* p = props->as_object().if_contains(name.as_string());
        out[name.as_string()] = p ? example_value(*p, path, lookup, depth + 1) : json::value(nullptr);
      }
    return out;
  }
  if (type == "array") {
    json::array out;
    auto* min = s.if_contains("minItems");
    auto* items = s.if_contains("items");
    if (min && min->is_int64() && items && items->is_object())
      for (int64_t i = 0; i < min->as_int64(); ++i) out.push_back(example_value(*items, path, lookup, depth + 1));
    return out;
  }
  return nullptr;
}

void pretty(const json::value& v, std::string& out, int indent) {
  auto pad = [&](int n) { out.append(static_cast<std::size_t>(n) * 2, ' '); };
  if (v.is_object() && !v.as_object().empty()) {
    out += "{\n";
    bool first = true;
    for (const auto& [k, member] : v.as_object()) {
      if (!first) out += ",\n";
      first = false;
      pad(indent + 1);
      out += json::serialize(json::value(k));
      out += ": ";
      pretty(member, out, indent + 1);
    }
    out += '\n';
    pad(indent);
    out += '}';
    return;
  }
  if (v.is_array() && !v.as_array().empty()) {
    // Short lists of scalars stay on one line (enums, type lists).
    std::string inline_text = json::serialize(v);
    bool scalars = true;
    for (const auto& e : v.as_array()) scalars = scalars && !e.is_object() && !e.is_array();
    if (scalars && inline_text.size() <= 80) {
      out += inline_text;
      return;
    }
    out += "[\n";
    bool first = true;
    for (const auto& e : v.as_array()) {
      if (!first) out += ",\n";
      first = false;
      pad(indent + 1);
      pretty(e, out, indent + 1);
    }
    out += '\n';
    pad(indent);
    out += ']';
    return;
  }
  out += json::serialize(v);
}

std::string namespace_of(const std::string& method) {
  auto dot = method.rfind('.');
  return dot == std::string::npos ? method : method.substr(0, dot);
}

std::string anchor_of(const std::string& method) {
  std::string out;
  for (char c : method)
    if (std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-') out += static_cast<char>(std::tolower(c));
  return out;
}

std::string first_sentence(const std::string& text) {
  auto end = text.find(". ");
  std::string s = end == std::string::npos ? text : text.substr(0, end + 1);
  std::string out;
  for (char c : s) out += c == '|' ? std::string("\\|") : std::string(1, c == '\n' ? ' ' : c);
  return out;
}

std::string shell_quote(const std::string& text) {
  std::string out = "'";
  for (char c : text) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

std::string roles_text(const MethodSpec& spec) {
  if (spec.no_auth) return "none: callable without logging in";
  if (spec.roles.empty()) return "any authenticated caller";
  std::string out;
  for (const auto& r : spec.roles) out += (out.empty() ? "`" : ", `") + r + "`";
  return out;
}

std::string description_of(const MethodInfo& m) {
  if (!m.spec->description.empty()) return m.spec->description;
  if (m.params_schema && m.params_schema->is_object())
    if (auto* d = m.params_schema->as_object().if_contains("description"); d && d->is_string())
      return std::string(d->as_string());
  return "";
}

void render_method(std::string& out, const MethodInfo& m, const SchemaFiles& schemas) {
  const std::string& name = m.spec->name;
  std::string stem = rpc::MethodTable::schema_stem(name);
  out += "## `" + name + "`\n\n";
  if (auto d = description_of(m); !d.empty()) out += d + "\n\n";
  out += "- Roles: " + roles_text(*m.spec) + "\n";
  out += std::string("- Job: ") + (m.spec->job ? "yes (the call answers a job id; see `core.get_jobs`)" : "no") + "\n";
  if (m.spec->filterable) out += "- Accepts query-filters and query-options\n";
  out += "\n**Params** (`schemas/" + stem + ".params.json`)\n\n```json\n";
  out += (m.params_schema ? pretty_json(*m.params_schema) : "null") + "\n```\n\n";
  out += "**Result** (`schemas/" + stem + ".result.json`)\n\n```json\n";
  out += (m.result_schema ? pretty_json(*m.result_schema) : "null") + "\n```\n\n";
  json::array params =
      m.params_schema ? example_params(*m.params_schema, stem + ".params.json", schemas) : json::array{};
  out += "**Example**\n\n```sh\nmidclt call " + name;
  if (m.spec->job) out += " -j";  // midclt waits for the job and shows its progress
  for (const auto& p : params) out += " " + shell_quote(json::serialize(p));
  out += "\n```\n\n```json\n";
  out += json::serialize(json::object{{"jsonrpc", "2.0"}, {"id", 1}, {"method", name}, {"params", params}});
  out += "\n```\n\n";
}

}  // namespace

ScratchDir::ScratchDir() {
  std::string pattern = (std::filesystem::temp_directory_path() / "middlewared-XXXXXX").string();
  if (!mkdtemp(pattern.data())) throw std::runtime_error("cannot create a temporary directory under " + pattern);
  path_ = pattern;
}

ScratchDir::~ScratchDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

std::string pretty_json(const json::value& value) {
  std::string out;
  pretty(value, out, 0);
  return out;
}

json::array example_params(const json::value& params_schema, const std::string& schema_path,
                           const SchemaFiles& schemas) {
  if (!params_schema.is_object()) return {};
  const json::object& s = params_schema.as_object();
  if (auto* e = s.if_contains("examples"); e && e->is_array() && !e->as_array().empty() && e->as_array()[0].is_array())
    return e->as_array()[0].as_array();
  SchemaLookup lookup(schemas);
  json::array out;
  auto* items = s.if_contains("items");
  auto* min = s.if_contains("minItems");
  if (!items || !items->is_array() || !min || !min->is_int64()) return out;
  for (int64_t i = 0; i < min->as_int64() && static_cast<std::size_t>(i) < items->as_array().size(); ++i)
    out.push_back(example_value(items->as_array()[static_cast<std::size_t>(i)], schema_path, lookup, 0));
  return out;
}

std::vector<ApiDocPage> render_api_docs(const std::vector<MethodInfo>& methods, const SchemaFiles& schemas,
                                        const std::set<std::string>& excluded_namespaces) {
  std::map<std::string, std::vector<const MethodInfo*>> by_namespace;
  for (const auto& m : methods) {
    if (m.spec->private_method) continue;
    const std::string& name = m.spec->name;
    if (excluded_namespaces.contains(name.substr(0, name.find('.')))) continue;
    by_namespace[namespace_of(name)].push_back(&m);
  }
  const char* banner =
      "<!-- Generated from the method registry and schemas/ by `middlewared --write-api-docs` (build target "
      "`api_docs`). Do not edit: tests fail when this file is stale. -->\n\n";

  std::vector<ApiDocPage> pages;
  std::string index =
      std::string("# API reference\n\n") + banner +
      "JSON-RPC 2.0 over WebSocket at `/api/current` (see `docs/` and the README for the protocol, "
      "authentication and query-filters). One page per namespace:\n\n| Namespace | Methods |\n| --- | --- |\n";
  for (auto& [ns, list] : by_namespace) {
    std::sort(list.begin(), list.end(), [](auto* a, auto* b) { return a->spec->name < b->spec->name; });
    index += "| [`" + ns + "`](" + ns + ".md) | " + std::to_string(list.size()) + " |\n";
    std::string text =
        "# `" + ns + "`\n\n" + banner + "| Method | Roles | Job | Summary |\n| --- | --- | --- | --- |\n";
    for (const MethodInfo* m : list)
      text += "| [`" + m->spec->name + "`](#" + anchor_of(m->spec->name) + ") | " + roles_text(*m->spec) + " | " +
              (m->spec->job ? "yes" : "no") + " | " + first_sentence(description_of(*m)) + " |\n";
    text += "\n";
    for (const MethodInfo* m : list) render_method(text, *m, schemas);
    while (text.size() > 1 && text[text.size() - 1] == '\n' && text[text.size() - 2] == '\n') text.pop_back();
    pages.push_back({ns + ".md", std::move(text)});
  }
  pages.push_back({"README.md", std::move(index)});
  return pages;
}

std::size_t write_api_docs(const std::filesystem::path& dir, const std::vector<ApiDocPage>& pages) {
  std::filesystem::create_directories(dir);
  std::set<std::string> keep;
  for (const auto& p : pages) keep.insert(p.file_name);
  for (const auto& entry : std::filesystem::directory_iterator(dir))
    if (entry.path().extension() == ".md" && !keep.contains(entry.path().filename().string()))
      std::filesystem::remove(entry.path());
  for (const auto& p : pages) {
    std::ofstream out(dir / p.file_name, std::ios::binary | std::ios::trunc);
    out << p.text;
    if (!out) throw std::runtime_error("cannot write " + (dir / p.file_name).string());
  }
  return pages.size();
}

}  // namespace mw::app
