#include "schema/validator.hpp"

#include <algorithm>
#include <numeric>
#include <string_view>

#include <middlewared/client_text.hpp>

#include "schema/formats.hpp"
#include "schema/json_compare.hpp"
#include "schema/messages.hpp"

namespace mw::schema::detail {

namespace {

using Sink = std::vector<Issue>;

// One step of the current location. Keys are views into the instance (or the node, for tags);
// an object gets its defaults before its children are visited, so the views stay valid.
struct Frame {
  std::string_view key;
  std::size_t index = 0;
  enum class Kind : std::uint8_t { Key, Index, Tag } kind = Kind::Key;
};

std::size_t code_points(std::string_view s) {
  return static_cast<std::size_t>(
      std::count_if(s.begin(), s.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
}

class Validator {
 public:
  explicit Validator(const CompileOptions& options) : options_(options) {}

  bool check(const Node& n, const json::value& v, json::value* m, Sink* out) {
    if (schema_depth_ >= kMaxSchemaDepth) {
      report(out, messages::schema_recursion(kMaxSchemaDepth));
      return false;
    }
    ++schema_depth_;
    bool ok = check_guarded(n, v, m, out);
    --schema_depth_;
    return ok;
  }

 private:
  bool check_guarded(const Node& n, const json::value& v, json::value* m, Sink* out) {
    switch (n.kind) {
      case Node::Kind::AlwaysTrue:
        return true;
      case Node::Kind::AlwaysFalse:
        report(out, messages::false_schema());
        return false;
      case Node::Kind::Ref:
        return check(*n.ref, v, m, out);
      case Node::Kind::Normal:
        break;
    }
    if (!n.error_message || out == nullptr) return check_body(n, v, m, out);
    Sink inner;
    bool ok = check_body(n, v, m, &inner);
    if (!ok) report(out, *n.error_message);
    return ok;
  }

  // --- locations and issues ---
  std::vector<PathItem> materialize() const {
    std::vector<PathItem> path;
    path.reserve(path_.size());
    for (const auto& f : path_) {
      PathItem& item = path.emplace_back();
      if (f.kind == Frame::Kind::Index) {
        item.key.emplace<std::size_t>(f.index);
      } else {
        // A key of the instance is the client's text: errors quote a short prefix only.
        item.key.emplace<std::string>(f.kind == Frame::Kind::Key ? echo_prefix(f.key) : std::string(f.key));
        item.is_tag = f.kind == Frame::Kind::Tag;
      }
    }
    return path;
  }
  void report(Sink* out, std::string message) {
    if (out != nullptr) out->push_back(Issue{materialize(), std::move(message)});
  }
  void report_at_key(Sink* out, std::string_view key, std::string message) {
    if (out == nullptr) return;
    path_.push_back(Frame{key, 0, Frame::Kind::Key});
    report(out, std::move(message));
    path_.pop_back();
  }

  // Validates a child value one level deeper in the instance.
  bool child(const Node& n, Frame frame, const json::value& v, json::value* m, Sink* out) {
    path_.push_back(frame);
    bool ok;
    if (instance_depth_ >= kMaxInstanceDepth) {
      report(out, messages::too_deep(kMaxInstanceDepth));
      ok = false;
    } else {
      ++instance_depth_;
      ok = check(n, v, m, out);
      --instance_depth_;
    }
    path_.pop_back();
    return ok;
  }
  static json::value* mutable_child(json::value* m, const json::value& c) {
    // `c` lives inside `*m`, which is not const: hand out the same element mutably.
    return m == nullptr ? nullptr : const_cast<json::value*>(&c);
  }

  std::uint8_t kind_bits(const json::value& v) const {
    switch (v.kind()) {
      case json::kind::null:
        return kNull;
      case json::kind::bool_:
        return kBoolean;
      case json::kind::object:
        return kObject;
      case json::kind::array:
        return kArray;
      case json::kind::string:
        return kString;
      case json::kind::int64:
      case json::kind::uint64:
        return kNumber | kInteger;
      case json::kind::double_:
        return is_integer(v, options_.strict_integers) ? (kNumber | kInteger) : kNumber;
    }
    return 0;
  }

  bool check_body(const Node& n, const json::value& v, json::value* m, Sink* out) {
    // A value of the wrong type or outside an enum gets that one issue: the other keywords
    // would only repeat it in other words (pydantic reports one error per field too).
    if (n.type_mask != 0 && (kind_bits(v) & n.type_mask) == 0) {
      report(out, n.type_message);
      return false;
    }
    if (!n.enum_values.empty()) {
      bool found = std::any_of(n.enum_values.begin(), n.enum_values.end(),
                               [&](const json::value* e) { return json_equal(*e, v, options_.strict_integers); });
      if (!found) {
        report(out, n.enum_message);
        return false;
      }
    }
    if (n.const_value != nullptr && !json_equal(*n.const_value, v, options_.strict_integers)) {
      report(out, n.const_message);
      return false;
    }
    bool ok = true;
    switch (v.kind()) {
      case json::kind::int64:
      case json::kind::uint64:
      case json::kind::double_:
        ok = check_number(n, v, out);
        break;
      case json::kind::string:
        ok = check_string(n, v.get_string(), out);
        break;
      case json::kind::array:
        ok = check_array(n, v, m, out);
        break;
      case json::kind::object:
        ok = check_object(n, v, m, out);
        break;
      default:
        break;
    }
    if (!ok && out == nullptr) return false;
    return check_combinators(n, v, m, out) && ok;
  }

  bool check_number(const Node& n, const json::value& v, Sink* out) {
    bool ok = true;
    auto fail = [&](const std::string& message) {
      report(out, message);
      ok = false;
      return out == nullptr;
    };
    if (n.minimum && compare_numbers(v, *n.minimum) < 0 && fail(n.minimum_message)) return false;
    if (n.maximum && compare_numbers(v, *n.maximum) > 0 && fail(n.maximum_message)) return false;
    if (n.exclusive_minimum && compare_numbers(v, *n.exclusive_minimum) <= 0 && fail(n.exclusive_minimum_message)) {
      return false;
    }
    if (n.exclusive_maximum && compare_numbers(v, *n.exclusive_maximum) >= 0 && fail(n.exclusive_maximum_message)) {
      return false;
    }
    if (n.multiple_of && !is_multiple_of(v, *n.multiple_of) && fail(n.multiple_of_message)) {
      return false;
    }
    return ok;
  }

  bool check_string(const Node& n, std::string_view s, Sink* out) {
    bool ok = true;
    if (n.min_length || n.max_length) {
      std::size_t length = code_points(s);
      if (n.min_length && length < *n.min_length) {
        report(out, messages::min_length(*n.min_length));
        if (out == nullptr) return false;
        ok = false;
      }
      if (n.max_length && length > *n.max_length) {
        report(out, messages::max_length(*n.max_length));
        if (out == nullptr) return false;
        ok = false;
      }
    }
    if (n.pattern) {
      if (!n.pattern->search(s)) {
        report(out, n.pattern_message);
        if (out == nullptr) return false;
        ok = false;
      }
    }
    if (!n.format.empty() && !check_format(n.format, s)) {
      report(out, n.format_message);
      ok = false;
    }
    return ok;
  }

  bool check_array(const Node& n, const json::value& v, json::value* m, Sink* out) {
    if (m != nullptr && n.has_tuple_defaults) {
      auto& arr = m->as_array();
      for (std::size_t i = arr.size(); i < n.tuple_items.size() && n.tuple_defaults[i]; ++i) {
        arr.push_back(*n.tuple_defaults[i]);
      }
    }
    const auto& arr = v.get_array();
    bool ok = true;
    auto fail = [&](std::string message) {
      report(out, std::move(message));
      ok = false;
      return out == nullptr;
    };
    if (n.min_items && arr.size() < *n.min_items && fail(messages::min_items(*n.min_items, arr.size()))) {
      return false;
    }
    if (n.max_items && arr.size() > *n.max_items && fail(messages::max_items(*n.max_items, arr.size()))) {
      return false;
    }
    if (n.unique_items) {
      if (auto dup = find_duplicate(arr); dup && fail(messages::unique_items(dup->first, dup->second))) {
        return false;
      }
    }
    if (n.tuple) {
      std::size_t fixed = std::min(arr.size(), n.tuple_items.size());
      for (std::size_t i = 0; i < fixed; ++i) {
        if (!child(*n.tuple_items[i], Frame{{}, i, Frame::Kind::Index}, arr[i], mutable_child(m, arr[i]), out)) {
          ok = false;
          if (out == nullptr) return false;
        }
      }
      if (arr.size() > n.tuple_items.size() && n.additional_items != nullptr) {
        if (n.additional_items->kind == Node::Kind::AlwaysFalse) {
          if (fail(messages::max_items(n.tuple_items.size(), arr.size()))) return false;
        } else {
          for (std::size_t i = n.tuple_items.size(); i < arr.size(); ++i) {
            if (!child(*n.additional_items, Frame{{}, i, Frame::Kind::Index}, arr[i], mutable_child(m, arr[i]), out)) {
              ok = false;
              if (out == nullptr) return false;
            }
          }
        }
      }
    } else if (n.items != nullptr) {
      for (std::size_t i = 0; i < arr.size(); ++i) {
        if (!child(*n.items, Frame{{}, i, Frame::Kind::Index}, arr[i], mutable_child(m, arr[i]), out)) {
          ok = false;
          if (out == nullptr) return false;
        }
      }
    }
    if (n.contains != nullptr) {
      bool any = false;
      for (const auto& item : arr) {
        if (probe(*n.contains, item)) {
          any = true;
          break;
        }
      }
      if (!any && fail(messages::contains())) return false;
    }
    return ok;
  }

  // First pair (i < j) of equal items, hashing so huge arrays stay linear on average.
  std::optional<std::pair<std::size_t, std::size_t>> find_duplicate(const json::array& arr) const {
    const bool strict = options_.strict_integers;
    if (arr.size() <= 16) {
      for (std::size_t j = 1; j < arr.size(); ++j) {
        for (std::size_t i = 0; i < j; ++i) {
          if (json_equal(arr[i], arr[j], strict)) return std::make_pair(i, j);
        }
      }
      return std::nullopt;
    }
    std::vector<std::pair<std::size_t, std::size_t>> hashed;  // (hash, index)
    hashed.reserve(arr.size());
    for (std::size_t i = 0; i < arr.size(); ++i) hashed.emplace_back(json_hash(arr[i], strict), i);
    std::sort(hashed.begin(), hashed.end());
    std::optional<std::pair<std::size_t, std::size_t>> best;
    for (std::size_t a = 0; a < hashed.size(); ++a) {
      for (std::size_t b = a + 1; b < hashed.size() && hashed[b].first == hashed[a].first; ++b) {
        std::size_t i = std::min(hashed[a].second, hashed[b].second);
        std::size_t j = std::max(hashed[a].second, hashed[b].second);
        if ((!best || j < best->second) && json_equal(arr[i], arr[j], strict)) best = std::make_pair(i, j);
      }
    }
    return best;
  }

  bool check_object(const Node& n, const json::value& v, json::value* m, Sink* out) {
    // Defaults are filled property by property, each before its own check and all before the
    // object-wide checks below: the same outcome as filling them all first, with one lookup.
    const bool fill = m != nullptr && n.has_property_defaults;
    const auto& obj = v.get_object();
    bool ok = true;
    auto failed = [&]() {
      ok = false;
      return out == nullptr;
    };
    // Room for every default at once: growing the object default by default rehashed it
    // several times per call (vm.create fills about 25).
    if (fill) m->as_object().reserve(obj.size() + n.properties.size());
    std::size_t declared = 0;  // members that are declared properties
    for (const auto& rule : n.properties) {
      // `*m` is `v` itself, mutable: emplace finds a member already there, or adds the default,
      // with one lookup.
      auto it = fill && rule.default_value != nullptr ? m->as_object().emplace(rule.name, *rule.default_value).first
                                                      : obj.find(rule.name);
      if (it == obj.end()) {
        if (rule.required) {
          report_at_key(out, rule.name, std::string(messages::kFieldRequired));
          if (failed()) return false;
        }
        continue;
      }
      ++declared;
      if (!child(*rule.schema, Frame{it->key(), 0, Frame::Kind::Key}, it->value(), mutable_child(m, it->value()),
                 out) &&
          failed()) {
        return false;
      }
    }
    // When every member is a declared property, additionalProperties has none to look at (and
    // without patternProperties nothing else does): the pass below would only look each one up.
    const bool all_declared = n.pattern_properties.empty() && declared == obj.size();
    if (!all_declared && (!n.pattern_properties.empty() || n.additional_properties != nullptr)) {
      for (const auto& member : obj) {
        bool matched = n.property_names_set.count(member.key()) != 0;
        for (const auto& rule : n.pattern_properties) {
          if (!rule.regex->search(member.key())) continue;
          matched = true;
          if (!child(*rule.schema, Frame{member.key(), 0, Frame::Kind::Key}, member.value(),
                     mutable_child(m, member.value()), out) &&
              failed()) {
            return false;
          }
        }
        if (matched || n.additional_properties == nullptr) continue;
        if (n.additional_properties->kind == Node::Kind::AlwaysFalse) {
          report_at_key(out, member.key(), std::string(messages::kExtraForbidden));
          if (failed()) return false;
        } else if (!child(*n.additional_properties, Frame{member.key(), 0, Frame::Kind::Key}, member.value(),
                          mutable_child(m, member.value()), out) &&
                   failed()) {
          return false;
        }
      }
    }
    for (const auto& name : n.required_elsewhere) {
      if (!obj.contains(name)) {
        report_at_key(out, name, std::string(messages::kFieldRequired));
        if (failed()) return false;
      }
    }
    if (n.min_properties && obj.size() < *n.min_properties) {
      report(out, messages::min_properties(*n.min_properties, obj.size()));
      if (failed()) return false;
    }
    if (n.max_properties && obj.size() > *n.max_properties) {
      report(out, messages::max_properties(*n.max_properties, obj.size()));
      if (failed()) return false;
    }
    if (n.property_names != nullptr) {
      for (const auto& member : obj) {
        json::value name(member.key());
        Sink inner;
        if (!check(*n.property_names, name, nullptr, out ? &inner : nullptr)) {
          std::string first = inner.empty() ? std::string() : inner.front().message;
          report_at_key(out, member.key(), messages::property_name(member.key(), first));
          if (failed()) return false;
        }
      }
    }
    for (const auto& [present, needed] : n.dependent_required) {
      if (!obj.contains(present)) continue;
      for (const auto& name : needed) {
        if (!obj.contains(name)) {
          report_at_key(out, name, messages::dependency_required(present));
          if (failed()) return false;
        }
      }
    }
    for (const auto& [present, schema] : n.dependent_schemas) {
      if (obj.contains(present) && !check(*schema, v, nullptr, out) && failed()) return false;
    }
    return ok;
  }

  bool probe(const Node& n, const json::value& v) { return check(n, v, nullptr, nullptr); }

  bool check_combinators(const Node& n, const json::value& v, json::value* m, Sink* out) {
    bool ok = true;
    for (const Node* sub : n.all_of) {
      if (!check(*sub, v, m, out)) {
        ok = false;
        if (out == nullptr) return false;
      }
    }
    if (n.discriminator) {
      if (!check_discriminated(*n.discriminator, v, m, out)) {
        ok = false;
        if (out == nullptr) return false;
      }
    } else {
      if (!n.any_of.empty() && !check_union(n.any_of, false, v, m, out)) {
        ok = false;
        if (out == nullptr) return false;
      }
      if (!n.one_of.empty() && !check_union(n.one_of, true, v, m, out)) {
        ok = false;
        if (out == nullptr) return false;
      }
    }
    if (n.not_schema != nullptr && probe(*n.not_schema, v)) {
      report(out, messages::not_schema());
      ok = false;
      if (out == nullptr) return false;
    }
    if (n.if_schema != nullptr) {
      const Node* branch = probe(*n.if_schema, v) ? n.then_schema : n.else_schema;
      if (branch != nullptr && !check(*branch, v, m, out)) ok = false;
    }
    return ok;
  }

  bool check_union(const std::vector<const Node*>& branches, bool exactly_one, const json::value& v, json::value* m,
                   Sink* out) {
    const Node* match = nullptr;
    std::size_t matches = 0;
    for (const Node* b : branches) {
      if (!probe(*b, v)) continue;
      if (match == nullptr) match = b;
      ++matches;
      if (!exactly_one || matches > 1) break;
    }
    if (exactly_one && matches > 1) {
      report(out, messages::one_of_many(matches));
      return false;
    }
    if (match != nullptr) {
      // Fill defaults through the branch that matched, then check it again with them.
      return m == nullptr || check(*match, v, m, out);
    }
    if (out == nullptr) return false;
    report_union_failure(branches, v, out);
    return false;
  }

  // Pydantic style: a model branch of the right type reports its own issues; otherwise one issue
  // joining every member's messages with " or " ("null" members say nothing about a non-null).
  void report_union_failure(const std::vector<const Node*>& branches, const json::value& v, Sink* out) {
    if (v.is_object()) {
      for (const Node* b : branches) {
        const Node* r = resolved(b);
        if (r != nullptr && r->kind == Node::Kind::Normal &&
            (r->type_mask == kObject || (r->type_mask == 0 && !r->properties.empty()))) {
          check(*b, v, nullptr, out);
          return;
        }
      }
    }
    std::vector<std::string> texts;
    for (const Node* b : branches) {
      const Node* r = resolved(b);
      if (r != nullptr && r->type_mask == kNull && !v.is_null() && branches.size() > 1) continue;
      Sink inner;
      check(*b, v, nullptr, &inner);
      for (auto& issue : inner) {
        if (std::find(texts.begin(), texts.end(), issue.message) == texts.end()) {
          texts.push_back(std::move(issue.message));
        }
      }
    }
    std::string joined;
    for (const auto& t : texts) {
      if (!joined.empty()) joined += " or ";
      joined += t;
    }
    report(out, joined);
  }

  bool check_discriminated(const Discriminator& d, const json::value& v, json::value* m, Sink* out) {
    const auto* obj = v.if_object();
    if (obj == nullptr) {
      report(out, std::string(messages::kNotDictionary));
      return false;
    }
    auto it = obj->find(d.property);
    if (it == obj->end()) {
      report_at_key(out, d.property, std::string(messages::kFieldRequired));
      return false;
    }
    if (it->value().is_string()) {
      std::string_view tag = it->value().get_string();
      for (std::size_t i = 0; i < d.tags.size(); ++i) {
        if (d.tags[i] != tag) continue;
        path_.push_back(Frame{d.tags[i], 0, Frame::Kind::Tag});
        bool ok = check(*d.branches[i], v, m, out);
        path_.pop_back();
        return ok;
      }
    }
    std::string shown =
        it->value().is_string() ? std::string(it->value().get_string()) : messages::render_literal(it->value());
    report(out, messages::tag_mismatch(shown, d.property, d.tags));
    return false;
  }

  const CompileOptions& options_;
  std::vector<Frame> path_;
  int schema_depth_ = 0;
  int instance_depth_ = 0;
};

}  // namespace

bool run_validation(const Node& root, const CompileOptions& options, const json::value& instance,
                    json::value* mutable_instance, std::vector<Issue>* out) {
  Validator validator(options);
  return validator.check(root, instance, mutable_instance, out);
}

}  // namespace mw::schema::detail
