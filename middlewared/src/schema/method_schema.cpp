#include "schema/method_schema.hpp"

#include <algorithm>

#include "schema/messages.hpp"
#include "schema/schema_error.hpp"

namespace mw::schema {

MethodSchema::MethodSchema(CompiledSchema params, std::optional<CompiledSchema> result)
    : params_(std::move(params)), result_(std::move(result)) {
  if (!params_.is_tuple()) {
    throw SchemaError(params_.uri(), "", "a method params schema needs `items` as an array of argument schemas");
  }
  for (std::size_t i = 0; i < params_.tuple_size(); ++i) {
    Arg arg;
    arg.schema = params_.tuple_item(i);
    const json::value* title = arg.schema.find_keyword("title");
    arg.title = title != nullptr && title->is_string() ? std::string(title->get_string()) : std::to_string(i);
    arg.default_value = arg.schema.find_keyword("default");
    args_.push_back(std::move(arg));
  }
  required_ = params_.min_items().value_or(0);
  extra_ = params_.additional_items();
  closed_ = !extra_;
}

ValidationErrors MethodSchema::validate_params(json::array& params) const {
  ValidationErrors errors;
  if (closed_ && params.size() > args_.size()) {
    errors.add(std::string(), messages::too_many_arguments(args_.size(), params.size()));
    return errors;
  }
  for (std::size_t i = params.size(); i < args_.size() && args_[i].default_value != nullptr; ++i) {
    params.push_back(*args_[i].default_value);
  }
  std::size_t wanted = std::max(params.size(), std::min(required_, args_.size()));
  for (std::size_t i = 0; i < wanted; ++i) {
    std::string title = i < args_.size() ? args_[i].title : std::to_string(i);
    if (i >= params.size()) {
      // Not filled because an earlier argument is missing; one with a default is not required.
      if (i >= args_.size() || args_[i].default_value == nullptr) {
        errors.add(title, std::string(messages::kFieldRequired));
      }
      continue;
    }
    const CompiledSchema& schema = i < args_.size() ? args_[i].schema : extra_;
    for (const Issue& issue : schema.validate_and_fill(params[i])) {
      std::string inner = issue.dotted();
      errors.add(inner.empty() ? title : title + "." + inner, issue.message);
    }
  }
  return errors;
}

std::vector<Issue> MethodSchema::validate_result(const json::value& result) const {
  if (!result_) return {};
  return result_->validate(result);
}

std::vector<std::string> MethodSchema::arg_names() const {
  std::vector<std::string> names;
  for (const auto& arg : args_) names.push_back(arg.title);
  return names;
}

const json::value* MethodSchema::result_schema() const { return result_ ? &result_->source() : nullptr; }

}  // namespace mw::schema
