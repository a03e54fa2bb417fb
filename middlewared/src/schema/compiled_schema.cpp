#include "schema/compiled_schema.hpp"

#include "schema/store.hpp"
#include "schema/validator.hpp"

namespace mw::schema {

std::vector<Issue> CompiledSchema::validate(const json::value& instance) const {
  std::vector<Issue> issues;
  if (node_ != nullptr) detail::run_validation(*node_, store_->options, instance, nullptr, &issues);
  return issues;
}

std::vector<Issue> CompiledSchema::validate_and_fill(json::value& instance) const {
  std::vector<Issue> issues;
  if (node_ != nullptr) detail::run_validation(*node_, store_->options, instance, &instance, &issues);
  return issues;
}

bool CompiledSchema::is_valid(const json::value& instance) const {
  return node_ == nullptr || detail::run_validation(*node_, store_->options, instance, nullptr, nullptr);
}

const json::value& CompiledSchema::source() const {
  static const json::value empty;
  return node_ != nullptr ? *node_->source : empty;
}

const json::value* CompiledSchema::find_keyword(std::string_view key) const {
  const detail::Node* n = node_;
  for (std::size_t hops = 0; n != nullptr && hops <= store_->nodes.size(); ++hops) {
    if (const auto* obj = n->source->if_object()) {
      if (const auto* v = obj->if_contains(key)) return v;
    }
    if (n->kind != detail::Node::Kind::Ref) break;
    n = n->ref;
  }
  return nullptr;
}

const detail::Node* CompiledSchema::work_node() const { return detail::resolved(node_); }

bool CompiledSchema::is_tuple() const {
  const auto* n = work_node();
  return n != nullptr && n->tuple;
}

std::size_t CompiledSchema::tuple_size() const { return is_tuple() ? work_node()->tuple_items.size() : 0; }

CompiledSchema CompiledSchema::tuple_item(std::size_t index) const {
  if (index >= tuple_size()) return {};
  return CompiledSchema(store_, work_node()->tuple_items[index], uri_);
}

bool CompiledSchema::forbids_additional_items() const {
  const auto* n = work_node();
  return n != nullptr && n->additional_items != nullptr && n->additional_items->kind == detail::Node::Kind::AlwaysFalse;
}

CompiledSchema CompiledSchema::additional_items() const {
  const auto* n = work_node();
  if (n == nullptr || n->additional_items == nullptr || forbids_additional_items()) return {};
  return CompiledSchema(store_, n->additional_items, uri_);
}

std::optional<std::size_t> CompiledSchema::min_items() const {
  const auto* n = work_node();
  return n != nullptr ? n->min_items : std::nullopt;
}

}  // namespace mw::schema
