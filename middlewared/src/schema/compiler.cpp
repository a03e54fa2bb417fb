#include "schema/compiler.hpp"

#include <stdexcept>

#include "schema/formats.hpp"
#include "schema/json_compare.hpp"
#include "schema/json_pointer.hpp"
#include "schema/messages.hpp"
#include "schema/schema_error.hpp"
#include "schema/uri.hpp"

#include <mw/util/percent.hpp>

namespace mw::schema::detail {

namespace {

// Keywords whose value is one subschema / an object of subschemas / an array of subschemas.
// Only these are walked for `$id`s, so an `$id` inside `enum` or `const` data is not one.
constexpr std::string_view kSingle[] = {
    "additionalItems", "additionalProperties", "contains", "propertyNames", "not", "if", "then", "else"};
constexpr std::string_view kMap[] = {"properties", "patternProperties", "definitions", "dependencies"};
constexpr std::string_view kList[] = {"allOf", "anyOf", "oneOf"};

// The base URI below a schema object: its `$id` resolved against the base above it ($id next to
// $ref is ignored, as draft-07 ignores every sibling of $ref).
std::string apply_id(const json::value& schema, const std::string& base) {
  const auto* obj = schema.if_object();
  if (obj == nullptr || obj->contains("$ref")) return base;
  auto it = obj->find("$id");
  if (it == obj->end() || !it->value().is_string()) return base;
  return split_fragment(resolve_uri(base, it->value().get_string())).without_fragment;
}

void register_resource(std::unordered_map<std::string, Resource>& map, const std::string& key, Resource resource) {
  auto [it, inserted] = map.emplace(key, resource);
  if (!inserted && it->second.value != resource.value) {
    throw SchemaError(
        resource.document->uri, resource.pointer,
        "duplicate $id '" + key + "' (already defined in " + it->second.document->uri + "#" + it->second.pointer + ")");
  }
}

void index_walk(Store& store, const Document& doc, const json::value& v, const std::string& base,
                const std::string& pointer, int depth) {
  const auto* obj = v.if_object();
  if (obj == nullptr || depth > kMaxSchemaDepth) return;
  std::string below = base;
  auto id = obj->find("$id");
  if (id != obj->end() && id->value().is_string() && !obj->contains("$ref")) {
    UriParts parts = split_fragment(resolve_uri(base, id->value().get_string()));
    Resource resource{&doc, pointer, &v, base};
    if (parts.has_fragment && !parts.fragment.empty() && parts.fragment[0] != '/') {
      register_resource(store.anchors, parts.without_fragment + "#" + parts.fragment, resource);
    } else if (!parts.has_fragment || parts.fragment.empty()) {
      register_resource(store.ids, parts.without_fragment, resource);
    }
    below = parts.without_fragment;
  }
  auto child = [&](const json::value& c, const std::string& token) {
    index_walk(store, doc, c, below, pointer + "/" + escape_pointer_token(token), depth + 1);
  };
  for (auto key : kSingle) {
    if (auto it = obj->find(key); it != obj->end()) child(it->value(), std::string(key));
  }
  for (auto key : kMap) {
    auto it = obj->find(key);
    if (it == obj->end() || !it->value().is_object()) continue;
    for (const auto& member : it->value().get_object()) {
      index_walk(store, doc, member.value(), below,
                 pointer + "/" + std::string(key) + "/" + escape_pointer_token(member.key()), depth + 1);
    }
  }
  for (auto key : kList) {
    auto it = obj->find(key);
    if (it == obj->end() || !it->value().is_array()) continue;
    const auto& arr = it->value().get_array();
    for (std::size_t i = 0; i < arr.size(); ++i) {
      index_walk(store, doc, arr[i], below, pointer + "/" + std::string(key) + "/" + std::to_string(i), depth + 1);
    }
  }
  if (auto it = obj->find("items"); it != obj->end()) {
    if (it->value().is_array()) {
      const auto& arr = it->value().get_array();
      for (std::size_t i = 0; i < arr.size(); ++i) {
        index_walk(store, doc, arr[i], below, pointer + "/items/" + std::to_string(i), depth + 1);
      }
    } else {
      child(it->value(), "items");
    }
  }
}

class Compiler {
 public:
  explicit Compiler(Store& store) : store_(store) {}

  const Node* compile_reference(std::string_view uri, const std::string& from_doc, const std::string& from_pointer,
                                int depth = 0) {
    UriParts parts = split_fragment(uri);
    const Resource* resource = find_resource(parts.without_fragment);
    if (resource == nullptr) {
      throw SchemaError(from_doc, from_pointer, "cannot resolve $ref '" + std::string(uri) + "'");
    }
    auto fragment = util::percent_decode(parts.fragment);
    if (!fragment) {
      throw SchemaError(from_doc, from_pointer, "malformed %-escape in '" + std::string(uri) + "'");
    }
    if (fragment->empty()) {
      return compile(*resource->value, resource->parent_base, resource->document->uri, resource->pointer, depth);
    }
    if ((*fragment)[0] != '/') {
      auto it = store_.anchors.find(parts.without_fragment + "#" + *fragment);
      if (it == store_.anchors.end()) {
        throw SchemaError(from_doc, from_pointer, "cannot resolve $ref '" + std::string(uri) + "'");
      }
      const Resource& r = it->second;
      return compile(*r.value, r.parent_base, r.document->uri, r.pointer, depth);
    }
    auto tokens = parse_pointer(*fragment);
    if (!tokens) {
      throw SchemaError(from_doc, from_pointer, "malformed JSON pointer in '" + std::string(uri) + "'");
    }
    const json::value* current = resource->value;
    std::string base = resource->parent_base;
    std::string pointer = resource->pointer;
    for (const auto& token : *tokens) {
      base = apply_id(*current, base);
      current = step_into(*current, token);
      if (current == nullptr) {
        throw SchemaError(from_doc, from_pointer, "cannot resolve $ref '" + std::string(uri) + "': no such location");
      }
      pointer += "/" + escape_pointer_token(token);
    }
    return compile(*current, base, resource->document->uri, pointer, depth);
  }

 private:
  const Resource* find_resource(const std::string& uri) {
    auto it = store_.ids.find(uri);
    if (it != store_.ids.end()) return &it->second;
    if (!store_.loader || store_.documents.count(uri) != 0) return nullptr;
    auto loaded = store_.loader(uri);
    if (!loaded) return nullptr;
    register_document(store_, uri, std::move(*loaded));
    it = store_.ids.find(uri);
    return it == store_.ids.end() ? nullptr : &it->second;
  }

  [[noreturn]] void fail(const std::string& doc, const std::string& pointer, const std::string& what) {
    throw SchemaError(doc, pointer, what);
  }

  const Node* compile(const json::value& v, const std::string& parent_base, const std::string& doc,
                      const std::string& pointer, int depth);

  Store& store_;
};

bool non_negative_integer(const json::value& v, std::size_t& out) {
  if (!is_integer(v, false)) return false;
  if (v.is_int64()) {
    if (v.get_int64() < 0) return false;
    out = static_cast<std::size_t>(v.get_int64());
  } else if (v.is_uint64()) {
    out = static_cast<std::size_t>(v.get_uint64());
  } else {
    double d = v.get_double();
    if (d < 0) return false;
    out = d > 1e18 ? static_cast<std::size_t>(1e18) : static_cast<std::size_t>(d);
  }
  return true;
}

std::uint8_t type_bit(std::string_view name) {
  if (name == "null") return kNull;
  if (name == "boolean") return kBoolean;
  if (name == "object") return kObject;
  if (name == "array") return kArray;
  if (name == "number") return kNumber;
  if (name == "string") return kString;
  if (name == "integer") return kInteger;
  return 0;
}

const Node* Compiler::compile(const json::value& v, const std::string& parent_base, const std::string& doc,
                              const std::string& pointer, int depth) {
  if (auto it = store_.compiled.find(&v); it != store_.compiled.end()) return it->second;
  if (depth > kMaxSchemaDepth) fail(doc, pointer, "schema nested too deeply");
  auto owned = std::make_unique<Node>();
  Node* n = owned.get();
  n->source = &v;
  if (v.is_bool()) {
    n->kind = v.get_bool() ? Node::Kind::AlwaysTrue : Node::Kind::AlwaysFalse;
    store_.nodes.push_back(std::move(owned));
    store_.compiled.emplace(&v, n);
    return n;
  }
  if (!v.is_object()) fail(doc, pointer, "a schema must be an object or a boolean");
  store_.nodes.push_back(std::move(owned));
  store_.compiled.emplace(&v, n);
  const json::object& s = v.get_object();

  auto at = [&](std::string_view key) { return pointer + "/" + escape_pointer_token(key); };
  const std::string base = apply_id(v, parent_base);

  if (auto it = s.find("$ref"); it != s.end()) {
    if (!it->value().is_string()) fail(doc, at("$ref"), "$ref must be a string");
    n->kind = Node::Kind::Ref;
    std::string target = resolve_uri(base, it->value().get_string());
    n->ref = compile_reference(target, doc, at("$ref"), depth + 1);
    // A chain of $refs that comes back to itself would never look at the instance.
    const Node* walk = n->ref;
    for (std::size_t steps = 0; walk != nullptr && walk->kind == Node::Kind::Ref; ++steps) {
      if (walk == n || steps > store_.nodes.size()) fail(doc, at("$ref"), "circular $ref");
      walk = walk->ref;
    }
    return n;
  }

  auto sub = [&](const json::value& child, const std::string& child_pointer) {
    return compile(child, base, doc, child_pointer, depth + 1);
  };
  auto count = [&](std::string_view key, std::optional<std::size_t>& out) {
    auto it = s.find(key);
    if (it == s.end()) return;
    std::size_t value = 0;
    if (!non_negative_integer(it->value(), value)) {
      fail(doc, at(key), std::string(key) + " must be a non-negative integer");
    }
    out = value;
  };
  auto number = [&](std::string_view key, const json::value*& out, std::string& message,
                    std::string (*make)(const json::value&)) {
    auto it = s.find(key);
    if (it == s.end()) return;
    if (!it->value().is_number()) fail(doc, at(key), std::string(key) + " must be a number");
    out = &it->value();
    message = make(it->value());
  };
  auto schema_list = [&](std::string_view key, std::vector<const Node*>& out) {
    auto it = s.find(key);
    if (it == s.end()) return;
    if (!it->value().is_array() || it->value().get_array().empty()) {
      fail(doc, at(key), std::string(key) + " must be a non-empty array of schemas");
    }
    const auto& arr = it->value().get_array();
    for (std::size_t i = 0; i < arr.size(); ++i) out.push_back(sub(arr[i], at(key) + "/" + std::to_string(i)));
  };
  auto single = [&](std::string_view key) -> const Node* {
    auto it = s.find(key);
    return it == s.end() ? nullptr : sub(it->value(), at(key));
  };
  auto default_of = [](const Node* node) -> const json::value* {
    const Node* target = node;
    for (int hops = 0; target != nullptr && hops < 64; ++hops) {
      if (const auto* obj = target->source->if_object()) {
        if (auto it = obj->find("default"); it != obj->end()) return &it->value();
      }
      if (target->kind != Node::Kind::Ref) break;
      target = target->ref;
    }
    return nullptr;
  };

  // type
  if (auto it = s.find("type"); it != s.end()) {
    std::vector<std::string_view> names;
    if (it->value().is_string()) {
      names.push_back(it->value().get_string());
    } else if (it->value().is_array()) {
      for (const auto& t : it->value().get_array()) {
        if (!t.is_string()) fail(doc, at("type"), "type names must be strings");
        names.push_back(t.get_string());
      }
    } else {
      fail(doc, at("type"), "type must be a string or an array of strings");
    }
    std::string message;
    for (auto name : names) {
      std::uint8_t bit = type_bit(name);
      if (bit == 0) fail(doc, at("type"), "unknown type '" + std::string(name) + "'");
      n->type_mask |= bit;
      if (name == "null" && names.size() > 1) continue;
      if (!message.empty()) message += " or ";
      message += messages::type_message(name);
    }
    if (names.empty()) fail(doc, at("type"), "type must name at least one type");
    n->type_message = message;
  }

  // enum / const
  if (auto it = s.find("enum"); it != s.end()) {
    if (!it->value().is_array()) fail(doc, at("enum"), "enum must be an array");
    for (const auto& e : it->value().get_array()) n->enum_values.push_back(&e);
    n->enum_message = messages::one_of_literals(n->enum_values);
  }
  if (auto it = s.find("const"); it != s.end()) {
    n->const_value = &it->value();
    n->const_message = messages::one_of_literals({n->const_value});
  }

  // numbers
  number("minimum", n->minimum, n->minimum_message, messages::greater_equal);
  number("maximum", n->maximum, n->maximum_message, messages::less_equal);
  number("exclusiveMinimum", n->exclusive_minimum, n->exclusive_minimum_message, messages::greater);
  number("exclusiveMaximum", n->exclusive_maximum, n->exclusive_maximum_message, messages::less);
  number("multipleOf", n->multiple_of, n->multiple_of_message, messages::multiple_of);
  if (n->multiple_of != nullptr) {
    json::value zero(0);
    if (compare_numbers(*n->multiple_of, zero) <= 0) {
      fail(doc, at("multipleOf"), "multipleOf must be greater than 0");
    }
  }

  // strings
  count("minLength", n->min_length);
  count("maxLength", n->max_length);
  if (auto it = s.find("pattern"); it != s.end()) {
    if (!it->value().is_string()) fail(doc, at("pattern"), "pattern must be a string");
    try {
      n->pattern = std::make_unique<EcmaRegex>(std::string(it->value().get_string()));
    } catch (const std::exception& e) {
      fail(doc, at("pattern"), e.what());
    }
    n->pattern_message = messages::pattern(it->value().get_string());
  }
  if (auto it = s.find("format"); it != s.end() && it->value().is_string()) {
    std::string_view name = it->value().get_string();
    if (store_.options.check_formats && is_checked_format(name)) {
      n->format = std::string(name);
      n->format_message = messages::format(name);
    }
  }

  // arrays
  if (auto it = s.find("items"); it != s.end()) {
    if (it->value().is_array()) {
      n->tuple = true;
      const auto& arr = it->value().get_array();
      for (std::size_t i = 0; i < arr.size(); ++i) {
        const Node* item = sub(arr[i], at("items") + "/" + std::to_string(i));
        n->tuple_items.push_back(item);
        n->tuple_defaults.push_back(default_of(item));
        n->has_tuple_defaults |= n->tuple_defaults.back() != nullptr;
      }
    } else {
      n->items = sub(it->value(), at("items"));
    }
  }
  if (n->tuple) n->additional_items = single("additionalItems");
  count("minItems", n->min_items);
  count("maxItems", n->max_items);
  if (auto it = s.find("uniqueItems"); it != s.end()) {
    if (!it->value().is_bool()) fail(doc, at("uniqueItems"), "uniqueItems must be a boolean");
    n->unique_items = it->value().get_bool();
  }
  n->contains = single("contains");

  // objects
  std::vector<std::string> required;
  if (auto it = s.find("required"); it != s.end()) {
    if (!it->value().is_array()) fail(doc, at("required"), "required must be an array of strings");
    for (const auto& r : it->value().get_array()) {
      if (!r.is_string()) fail(doc, at("required"), "required must be an array of strings");
      required.emplace_back(r.get_string());
    }
  }
  if (auto it = s.find("properties"); it != s.end()) {
    if (!it->value().is_object()) fail(doc, at("properties"), "properties must be an object");
    const auto& props = it->value().get_object();
    n->properties.reserve(props.size());
    for (const auto& member : props) {
      PropertyRule rule;
      rule.name = std::string(member.key());
      rule.schema = sub(member.value(), at("properties") + "/" + escape_pointer_token(member.key()));
      rule.default_value = default_of(rule.schema);
      n->has_property_defaults |= rule.default_value != nullptr;
      n->properties.push_back(std::move(rule));
    }
    for (const auto& rule : n->properties) n->property_names_set.insert(rule.name);
  }
  for (auto& name : required) {
    bool found = false;
    for (auto& rule : n->properties) {
      if (rule.name == name) {
        rule.required = true;
        found = true;
      }
    }
    if (!found) n->required_elsewhere.push_back(name);
  }
  if (auto it = s.find("patternProperties"); it != s.end()) {
    if (!it->value().is_object()) fail(doc, at("patternProperties"), "patternProperties must be an object");
    for (const auto& member : it->value().get_object()) {
      std::string where = at("patternProperties") + "/" + escape_pointer_token(member.key());
      PatternRule rule;
      try {
        rule.regex = std::make_unique<EcmaRegex>(std::string(member.key()));
      } catch (const std::exception& e) {
        fail(doc, where, e.what());
      }
      rule.schema = sub(member.value(), where);
      n->pattern_properties.push_back(std::move(rule));
    }
  }
  n->additional_properties = single("additionalProperties");
  count("minProperties", n->min_properties);
  count("maxProperties", n->max_properties);
  n->property_names = single("propertyNames");
  if (auto it = s.find("dependencies"); it != s.end()) {
    if (!it->value().is_object()) fail(doc, at("dependencies"), "dependencies must be an object");
    for (const auto& member : it->value().get_object()) {
      std::string where = at("dependencies") + "/" + escape_pointer_token(member.key());
      if (member.value().is_array()) {
        std::vector<std::string> names;
        for (const auto& d : member.value().get_array()) {
          if (!d.is_string()) fail(doc, where, "dependency lists must hold strings");
          names.emplace_back(d.get_string());
        }
        n->dependent_required.emplace_back(std::string(member.key()), std::move(names));
      } else {
        n->dependent_schemas.emplace_back(std::string(member.key()), sub(member.value(), where));
      }
    }
  }

  // combinators
  schema_list("allOf", n->all_of);
  schema_list("anyOf", n->any_of);
  schema_list("oneOf", n->one_of);
  n->not_schema = single("not");
  n->if_schema = single("if");
  if (n->if_schema != nullptr) {
    n->then_schema = single("then");
    n->else_schema = single("else");
  }
  // Compile definitions too, so a broken one is reported even when nothing refers to it yet.
  if (auto it = s.find("definitions"); it != s.end()) {
    if (!it->value().is_object()) fail(doc, at("definitions"), "definitions must be an object");
    for (const auto& member : it->value().get_object()) {
      sub(member.value(), at("definitions") + "/" + escape_pointer_token(member.key()));
    }
  }

  // custom keywords
  if (auto it = s.find("errorMessage"); it != s.end()) {
    if (!it->value().is_string()) fail(doc, at("errorMessage"), "errorMessage must be a string");
    n->error_message = std::string(it->value().get_string());
  }
  if (auto it = s.find("discriminator"); it != s.end()) {
    const auto* d = it->value().if_object();
    const json::value* prop = d ? d->if_contains("propertyName") : nullptr;
    if (prop == nullptr || !prop->is_string()) {
      fail(doc, at("discriminator"), "discriminator needs a string propertyName");
    }
    const auto& branches = !n->one_of.empty() ? n->one_of : n->any_of;
    if (branches.empty()) fail(doc, at("discriminator"), "discriminator needs oneOf or anyOf");
    auto disc = std::make_unique<Discriminator>();
    disc->property = std::string(prop->get_string());
    for (std::size_t i = 0; i < branches.size(); ++i) {
      const Node* branch = resolved(branches[i]);
      const json::value* tag = nullptr;
      for (const auto& rule : branch ? branch->properties : std::vector<PropertyRule>{}) {
        if (rule.name != disc->property) continue;
        const Node* tag_node = resolved(rule.schema);
        if (tag_node == nullptr) break;
        if (tag_node->const_value != nullptr) {
          tag = tag_node->const_value;
        } else if (tag_node->enum_values.size() == 1) {
          tag = tag_node->enum_values.front();
        }
      }
      if (tag == nullptr || !tag->is_string()) {
        fail(doc, at("discriminator"),
             "branch " + std::to_string(i) + " has no string const/enum for '" + disc->property + "'");
      }
      disc->tags.emplace_back(tag->get_string());
      disc->branches.push_back(branches[i]);
    }
    n->discriminator = std::move(disc);
  }
  return n;
}

}  // namespace

const Document& register_document(Store& store, const std::string& uri, json::value root) {
  if (store.documents.count(uri) != 0) throw SchemaError(uri, "", "document registered twice");
  auto owned = std::make_unique<Document>(Document{uri, std::move(root)});
  const Document& document = *owned;
  store.documents.emplace(uri, std::move(owned));
  try {
    register_resource(store.ids, uri, Resource{&document, "", &document.root, uri});
    index_walk(store, document, document.root, uri, "", 0);
  } catch (...) {
    std::erase_if(store.ids, [&](const auto& entry) { return entry.second.document == &document; });
    std::erase_if(store.anchors, [&](const auto& entry) { return entry.second.document == &document; });
    store.documents.erase(uri);
    throw;
  }
  return document;
}

const Node* compile_uri(Store& store, std::string_view uri) {
  UriParts parts = split_fragment(uri);
  const std::size_t before = store.nodes.size();
  try {
    return Compiler(store).compile_reference(uri, parts.without_fragment, "");
  } catch (...) {
    // Half-built nodes must not be found by a later compile: drop everything this one made.
    while (store.nodes.size() > before) {
      store.compiled.erase(store.nodes.back()->source);
      store.nodes.pop_back();
    }
    throw;
  }
}

}  // namespace mw::schema::detail
