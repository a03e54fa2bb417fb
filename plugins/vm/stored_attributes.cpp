#include "stored_attributes.hpp"

#include <optional>
#include <stdexcept>
#include <string>

namespace mw::vm {

StoredAttributesReader::StoredAttributesReader()
    : memory_(arena_, sizeof arena_), parser_({}, {}, parser_stack_, sizeof parser_stack_) {}

DeviceAttributes StoredAttributesReader::read(std::int64_t device_id, std::string_view text) {
  if (auto plain = attributes_from_plain_text(text)) return std::move(*plain);
  std::optional<DeviceAttributes> parsed;
  {
    parser_.reset(boost::json::storage_ptr(&memory_));
    boost::system::error_code ec;
    parser_.write(text.data(), text.size(), ec);
    if (ec) throw std::runtime_error("vm_device " + std::to_string(device_id) + ": attributes are not JSON");
    const boost::json::value attrs = parser_.release();  // throws when the text stops short
    if (attrs.is_object()) parsed = attributes_from_json(attrs.get_object());
  }
  memory_.release();
  if (!parsed) throw std::runtime_error("vm_device " + std::to_string(device_id) + ": attributes name no known dtype");
  return std::move(*parsed);
}

}  // namespace mw::vm
