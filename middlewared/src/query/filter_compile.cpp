// Validation and compilation of query-filters.
#include <stdexcept>
#include <string>
#include <string_view>

#include "filter_node.hpp"
#include "filter_tree.hpp"
#include "iso_timestamp.hpp"
#include "python_semantics.hpp"

#include <mw/util/python.hpp>

namespace mw::query {
namespace {

// The first malformed element ends validation, as the pydantic validator raises one ValueError.
struct ShapeError {
  std::string message;
};

struct OpInfo {
  std::string_view text;
  Op op;
};

constexpr OpInfo kOps[] = {
    {"=", Op::Eq},
    {"!=", Op::Ne},
    {">", Op::Gt},
    {">=", Op::Ge},
    {"<", Op::Lt},
    {"<=", Op::Le},
    {"~", Op::Match},
    {"in", Op::In},
    {"nin", Op::Nin},
    {"rin", Op::Rin},
    {"rnin", Op::Rnin},
    {"^", Op::StartsWith},
    {"!^", Op::NotStartsWith},
    {"$", Op::EndsWith},
    {"!$", Op::NotEndsWith},
};

constexpr std::string_view kDateSuffix = ".$date";

bool is_timestamp_op(Op op) {
  return op == Op::Eq || op == Op::Ne || op == Op::Gt || op == Op::Ge || op == Op::Lt || op == Op::Le;
}

// Long values are left out of messages (a 1 MiB regex must not come back in the error).
std::string short_repr(const json::value& v) {
  std::string r = python_repr(v);
  if (r.size() > 120) r = r.substr(0, 100) + "...";
  return r;
}

json::value fold_operand(const json::value& v) {
  if (v.is_null()) return nullptr;
  if (v.is_string()) return json::string(util::casefold(v.get_string()));
  if (v.is_array()) {
    json::array out;
    out.reserve(v.get_array().size());
    for (const auto& e : v.get_array()) {
      if (!e.is_string()) {
        throw ShapeError{std::string("filter_list: cannot casefold a value of type '") + python_type_name(e) + "'"};
      }
      out.emplace_back(json::string(util::casefold(e.get_string())));
    }
    return out;
  }
  throw ShapeError{std::string("filter_list: cannot casefold a value of type '") + python_type_name(v) + "'"};
}

class Compiler {
 public:
  bool depth_exceeded = false;

  // The elements of one filter list (an AND) at nesting `depth` (top level = 0).
  void compile_list(const json::array& list, int depth, std::vector<FilterNode>& out) {
    if (depth > FilterTree::kMaxDepth) {
      // Deeper levels are not looked at: the depth error is reported instead, and recursion
      // stays bounded whatever the input.
      depth_exceeded = true;
      return;
    }
    out.reserve(list.size());
    for (const auto& element : list) out.push_back(compile_element(element, depth));
  }

 private:
  static bool is_and_group(const json::value& v) {
    return v.is_array() && !v.get_array().empty() && v.get_array()[0].is_array();
  }

  FilterNode compile_element(const json::value& element, int depth) {
    if (!element.is_array()) {
      throw ShapeError{std::string("filter_list: a filter must be a list, not ") + python_type_name(element)};
    }
    const auto& f = element.get_array();
    if (is_and_group(element)) {  // an AND-group at any level
      FilterNode node;
      node.kind = FilterNode::Kind::All;
      compile_list(f, depth + 1, node.children);
      return node;
    }
    if (f.size() == 2) return compile_or(f, depth);
    if (f.size() != 3) throw ShapeError{"filter_list: invalid filter length " + std::to_string(f.size())};
    FilterNode node;
    node.leaf = compile_leaf(f);
    return node;
  }

  FilterNode compile_or(const json::array& f, int depth) {
    if (!f[0].is_string() || f[0].get_string() != "OR") {
      throw ShapeError{"filter_list: len-2 filter must start with \"OR\""};
    }
    if (!f[1].is_array()) throw ShapeError{"filter_list: OR filter requires a list of branches"};
    FilterNode node;
    node.kind = FilterNode::Kind::Any;
    const auto& branches = f[1].get_array();
    if (branches.empty()) return node;  // matches nothing, like any() of nothing
    if (depth + 1 > FilterTree::kMaxDepth) {
      depth_exceeded = true;
      return node;
    }
    node.children.reserve(branches.size());
    for (const auto& branch : branches) {
      if (is_and_group(branch)) {
        // A branch that is a list of filters sits one level down, like any other branch.
        FilterNode group;
        group.kind = FilterNode::Kind::All;
        compile_list(branch.get_array(), depth + 1, group.children);
        node.children.push_back(std::move(group));
      } else {
        node.children.push_back(compile_element(branch, depth + 1));
      }
    }
    return node;
  }

  static std::unique_ptr<FilterLeaf> compile_leaf(const json::array& f) {
    auto leaf = std::make_unique<FilterLeaf>();
    if (!f[1].is_string()) throw ShapeError{"filter_list: unknown operator " + short_repr(f[1])};
    std::string_view op_text = f[1].get_string();
    const std::string_view written_op = op_text;
    if (!op_text.empty() && op_text[0] == 'C') {
      leaf->casefold = true;
      op_text.remove_prefix(1);
    }
    const OpInfo* info = nullptr;
    for (const auto& candidate : kOps)
      if (candidate.text == op_text) info = &candidate;
    if (!info) throw ShapeError{"filter_list: unknown operator '" + std::string(op_text) + "'"};
    leaf->op = info->op;
    leaf->op_text = info->text.data();  // the table's literals are NUL-terminated

    if (!f[0].is_string()) throw ShapeError{"filter_list: filter path must be a string, not " + short_repr(f[0])};
    std::string_view path = f[0].get_string();
    const json::value& value = f[2];

    if (path.size() >= kDateSuffix.size() && path.substr(path.size() - kDateSuffix.size()) == kDateSuffix) {
      if (leaf->casefold || !is_timestamp_op(leaf->op)) {
        throw ShapeError{std::string(written_op) + ": invalid timestamp operation."};
      }
      std::optional<std::int64_t> when;
      if (value.is_string()) when = parse_iso8601_us(value.get_string());
      if (!when) throw ShapeError{python_str(value) + ": must be an ISO-8601 formatted timestamp string"};
      leaf->timestamp = true;
      leaf->timestamp_us = *when;
      leaf->path = parse_path(path.substr(0, path.size() - kDateSuffix.size()));
      return leaf;
    }
    leaf->path = parse_path(path);

    if (leaf->op == Op::Match) {
      if (!value.is_string()) {
        throw ShapeError{std::string("filter_list: regular expression must be a string, not ") +
                         python_type_name(value)};
      }
      try {
        leaf->regex.emplace(value.get_string(), leaf->casefold);
      } catch (const std::invalid_argument& e) {
        throw ShapeError{"filter_list: invalid regular expression " + short_repr(value) + ": " + e.what()};
      }
      leaf->operand = value;
      return leaf;
    }
    leaf->operand = leaf->casefold ? fold_operand(value) : value;
    if ((leaf->op == Op::In || leaf->op == Op::Nin) && leaf->operand.is_array()) {
      leaf->in_set = std::make_unique<ValueSet>(leaf->operand.get_array());
    }
    return leaf;
  }
};

}  // namespace

FilterTree::FilterTree() = default;
FilterTree::FilterTree(FilterTree&&) noexcept = default;
FilterTree& FilterTree::operator=(FilterTree&&) noexcept = default;
FilterTree::~FilterTree() = default;

FilterTree FilterTree::compile(const json::array& filters, ValidationErrors& errors) {
  FilterTree tree;
  Compiler compiler;
  try {
    compiler.compile_list(filters, 0, tree.roots_);
  } catch (const ShapeError& e) {
    errors.add("filters", "Value error, " + e.message);
    tree.roots_.clear();
    return tree;
  }
  tree.depth_exceeded_ = compiler.depth_exceeded;
  return tree;
}

}  // namespace mw::query
