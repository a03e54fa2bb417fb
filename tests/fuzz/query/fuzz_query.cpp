// Fuzzes filter_list with {"rows":[...],"filters":[...],"options":{...}} documents: the only
// acceptable outcomes are a result or one of the documented exceptions.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include <boost/json/parse.hpp>

#include <middlewared/errors.hpp>
#include <middlewared/query.hpp>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  namespace json = boost::json;
  boost::system::error_code ec;
  const json::value doc = json::parse(std::string_view(reinterpret_cast<const char*>(data), size), ec);
  if (ec || !doc.is_object()) return 0;
  const auto& obj = doc.get_object();
  const json::value* rows = obj.if_contains("rows");
  const json::value* filters = obj.if_contains("filters");
  const json::value* options = obj.if_contains("options");
  if (!rows || !rows->is_array() || !filters || !filters->is_array()) return 0;
  static const json::object no_options;
  const json::object& opts = options && options->is_object() ? options->get_object() : no_options;
  try {
    mw::query::filter_list(rows->get_array(), filters->get_array(), opts);
  } catch (const mw::ValidationErrors&) {
  } catch (const mw::CallError&) {
  } catch (const mw::MatchNotFound&) {
  }
  return 0;
}
