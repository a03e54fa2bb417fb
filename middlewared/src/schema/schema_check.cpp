#include "schema/schema_check.hpp"

namespace mw::schema {
namespace {

class CompiledSchemaCheck final : public SchemaCheck {
 public:
  explicit CompiledSchemaCheck(CompiledSchema schema) : schema_(std::move(schema)) {}

  void validate(json::value& value, const std::string& prefix, ValidationErrors& errors) const override {
    for (const Issue& issue : schema_.validate_and_fill(value)) {
      std::string inner = issue.dotted();
      errors.add(inner.empty() ? prefix : prefix + "." + inner, issue.message);
    }
  }
  const json::value& source() const override { return schema_.source(); }

 private:
  CompiledSchema schema_;
};

}  // namespace

std::shared_ptr<const SchemaCheck> make_schema_check(CompiledSchema schema) {
  return std::make_shared<CompiledSchemaCheck>(std::move(schema));
}

}  // namespace mw::schema
