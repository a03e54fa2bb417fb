#include "schema/inline_refs.hpp"

#include "schema/json_pointer.hpp"
#include "schema/schema_set.hpp"
#include "schema/uri.hpp"

#include <mw/util/percent.hpp>

namespace mw::schema {
namespace {

constexpr std::string_view kBase = "mw:///";

struct Inliner {
  const SchemaDocuments& documents;
  int max_depth;

  // The value a resolved reference names, or nullptr.
  const json::value* target_of(const std::string& uri) const {
    UriParts parts = split_fragment(uri);
    if (parts.without_fragment.rfind(kBase, 0) != 0) return nullptr;
    auto doc = documents.find(std::string_view(parts.without_fragment).substr(kBase.size()));
    if (doc == documents.end()) return nullptr;
    auto fragment = util::percent_decode(parts.fragment);
    if (!fragment) return nullptr;
    if (fragment->empty()) return &doc->second;
    auto tokens = parse_pointer(*fragment);
    if (!tokens) return nullptr;
    const json::value* at = &doc->second;
    for (const auto& t : *tokens)
      if (!(at = step_into(*at, t))) return nullptr;
    return at;
  }

  json::value walk(const json::value& v, const std::string& base, int depth) const {
    if (const auto* arr = v.if_array()) {
      json::array out;
      out.reserve(arr->size());
      for (const auto& e : *arr) out.push_back(walk(e, base, depth));
      return out;
    }
    const auto* obj = v.if_object();
    if (!obj) return v;
    const auto* ref = obj->if_contains("$ref");
    if (ref && ref->is_string() && depth < max_depth) {
      std::string uri = resolve_uri(base, ref->get_string());
      if (const json::value* target = target_of(uri)) {
        json::value inlined = walk(*target, split_fragment(uri).without_fragment, depth + 1);
        if (auto* merged = inlined.if_object()) {
          merged->erase("$schema");
          for (const auto& member : *obj)
            if (member.key() != "$ref") (*merged)[member.key()] = walk(member.value(), base, depth);
          return inlined;
        }
      }
    }
    json::object out;
    for (const auto& member : *obj) out[member.key()] = walk(member.value(), base, depth);
    return out;
  }
};

}  // namespace

json::value inline_refs(const json::value& schema, std::string_view document_path, const SchemaDocuments& documents,
                        int max_depth) {
  return Inliner{documents, max_depth}.walk(schema, method_schema_uri(document_path), 0);
}

}  // namespace mw::schema
