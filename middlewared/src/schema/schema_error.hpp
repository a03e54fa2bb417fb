#pragma once
// The one exception of schema compilation: a schema that cannot be compiled (bad keyword value,
// unresolvable $ref, invalid regex). what() names the document URI and the JSON pointer.
#include <stdexcept>
#include <string>

namespace mw::schema {

class SchemaError : public std::runtime_error {
 public:
  SchemaError(std::string document_uri, std::string pointer, const std::string& message)
      : std::runtime_error(document_uri + "#" + pointer + ": " + message),
        document_uri_(std::move(document_uri)),
        pointer_(std::move(pointer)) {}
  const std::string& document_uri() const { return document_uri_; }
  const std::string& pointer() const { return pointer_; }

 private:
  std::string document_uri_;
  std::string pointer_;
};

}  // namespace mw::schema
