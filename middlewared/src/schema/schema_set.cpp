#include "schema/schema_set.hpp"

#include <boost/json/parse.hpp>

#include "schema/compiler.hpp"
#include "schema/metaschema_draft07.hpp"
#include "schema/store.hpp"
#include "schema/uri.hpp"

namespace mw::schema {

std::string method_schema_uri(std::string_view relative_path) { return "mw:///" + std::string(relative_path); }

SchemaSet::SchemaSet(CompileOptions options) : store_(std::make_shared<detail::Store>()) {
  store_->options = options;
  add_document(kDraft07MetaSchemaUri, json::parse(draft07_metaschema_text()));
}

void SchemaSet::add_document(std::string_view uri, json::value document) {
  UriParts parts = split_fragment(uri);
  if (!has_scheme(uri) || (parts.has_fragment && !parts.fragment.empty())) {
    throw SchemaError(std::string(uri), "", "a document URI must be absolute and without fragment");
  }
  detail::register_document(*store_, parts.without_fragment, std::move(document));
}

bool SchemaSet::has_document(std::string_view uri) const { return store_->documents.count(std::string(uri)) != 0; }

void SchemaSet::set_loader(DocumentLoader loader) { store_->loader = std::move(loader); }

CompiledSchema SchemaSet::compile(std::string_view uri) {
  const detail::Node* node = detail::compile_uri(*store_, uri);
  return CompiledSchema(store_, node, std::string(uri));
}

CompiledSchema SchemaSet::compile_document(std::string_view uri, json::value document) {
  add_document(uri, std::move(document));
  return compile(uri);
}

const CompileOptions& SchemaSet::options() const { return store_->options; }

}  // namespace mw::schema
