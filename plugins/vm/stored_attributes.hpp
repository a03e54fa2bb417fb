#pragma once
// A stored device's attributes column (JSON text) read into its typed attributes, as start-up
// reads every device: the plain form this server writes is read straight into the typed fields
// (attributes_from_plain_text); any other text is parsed into a json::value and read from that
// (attributes_from_json), which decides what it means and which texts are refused.
#include <cstdint>
#include <string_view>

#include <boost/json/monotonic_resource.hpp>
#include <boost/json/parser.hpp>

#include "model/device_config.hpp"

namespace mw::vm {

// One per reading thread: the parser and its arena are reused from row to row (one malloc per
// JSON node and per parse otherwise).
class StoredAttributesReader {
 public:
  StoredAttributesReader();
  StoredAttributesReader(const StoredAttributesReader&) = delete;
  StoredAttributesReader& operator=(const StoredAttributesReader&) = delete;

  // Throws std::runtime_error naming the device when the text is not JSON or names no known dtype.
  DeviceAttributes read(std::int64_t device_id, std::string_view text);

 private:
  unsigned char arena_[4096];
  unsigned char parser_stack_[1024];
  boost::json::monotonic_resource memory_;
  boost::json::parser parser_;
};

}  // namespace mw::vm
