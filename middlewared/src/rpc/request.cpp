#include "rpc/request.hpp"

#include <cmath>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/stream_parser.hpp>

namespace mw::rpc {
namespace {

RequestError invalid(std::string message, bool has_id, json::value id) {
  return RequestError{-32600, std::move(message), has_id, std::move(id)};
}

// Line/column/char position of byte offset `pos`, counted like Python (1-based line and column,
// characters rather than bytes: UTF-8 continuation bytes are not counted).
std::string position_text(std::string_view text, std::size_t pos) {
  std::size_t line = 1, col = 1, chars = 0;
  for (std::size_t i = 0; i < pos && i < text.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(text[i]);
    if ((c & 0xC0) == 0x80) continue;
    ++chars;
    if (c == '\n') {
      ++line;
      col = 1;
    } else {
      ++col;
    }
  }
  return "line " + std::to_string(line) + " column " + std::to_string(col) + " (char " + std::to_string(chars) + ")";
}

}  // namespace

bool id_too_long(const json::value& id) {
  if (id.is_string()) return id.get_string().size() > kMaxIdLength;
  if (id.is_object() || id.is_array()) return json::serialize(id).size() > kMaxIdLength;
  return false;  // numbers, booleans and null are short
}

std::string describe_json_error(std::string_view text) {
  boost::json::stream_parser p;
  boost::system::error_code ec;
  std::size_t used = p.write_some(text.data(), text.size(), ec);
  // write_some stops after the first complete value; anything left over is trailing data.
  if (!ec && used == text.size()) p.finish(ec);
  std::size_t pos = used;
  while (pos < text.size() && (text[pos] == ' ' || text[pos] == '\t' || text[pos] == '\n' || text[pos] == '\r')) ++pos;
  // A complete value followed by more text: Python reports "Extra data" at the first trailing character.
  if ((!ec && used < text.size()) || ec == boost::json::error::extra_data)
    return "Extra data: " + position_text(text, pos);
  if (!ec) return "Invalid JSON";
  std::string what = "Expecting value";
  if (pos < text.size()) {
    // Look back at the last significant character to guess what Python's parser would expect.
    std::size_t back = used;
    while (back > 0 && std::isspace(static_cast<unsigned char>(text[back - 1]))) --back;
    char prev = back > 0 ? text[back - 1] : '\0';
    if (text[pos] == '"' || prev == '"') {
      what = (prev == '{' || prev == ',') ? "Expecting property name enclosed in double quotes"
                                          : "Expecting ':' delimiter";
    } else if (prev == '{') {
      what = "Expecting property name enclosed in double quotes";
    } else if (prev != ',' && prev != '[' && prev != ':' && prev != '\0') {
      what = "Expecting ',' delimiter";
    }
  }
  return what + ": " + position_text(text, pos);
}

ParseResult parse_request(std::string_view frame) {
  boost::system::error_code ec;
  json::value doc = boost::json::parse(frame, ec);
  if (ec) return RequestError{-32700, describe_json_error(frame), false, nullptr};
  if (doc.is_array()) return RequestError{-32700, "Batch messages are not supported at this time", false, nullptr};
  if (!doc.is_object()) return RequestError{-32700, "Invalid Message Format", false, nullptr};

  json::object& obj = doc.as_object();
  auto* id_ptr = obj.if_contains("id");
  bool has_id = id_ptr != nullptr;
  json::value id = has_id ? *id_ptr : json::value(nullptr);

  // A number too large for a double parses as infinity, which JSON cannot carry back in an answer.
  bool id_ok = id.is_null() || id.is_int64() || id.is_uint64() || (id.is_double() && std::isfinite(id.get_double())) ||
               id.is_string();
  bool id_short = !id_too_long(id);
  json::value answer_id = id_ok && id_short ? id : json::value(nullptr);

  auto* jsonrpc = obj.if_contains("jsonrpc");
  if (!jsonrpc) return invalid("Missing 'jsonrpc' member", has_id, answer_id);
  if (!jsonrpc->is_string() || jsonrpc->get_string() != "2.0")
    return invalid("'jsonrpc' member must be of type string and must be exactly '2.0'", has_id, answer_id);
  if (!id_ok) return invalid("'id' member must be of type null, string or number", has_id, nullptr);
  if (!id_short) return invalid("'id' member must be at most 128 characters long", has_id, nullptr);

  auto* method = obj.if_contains("method");
  if (!method) return invalid("Missing 'method' member", has_id, id);
  if (!method->is_string() || method->get_string().empty())
    return invalid("'method' member must be of type string", has_id, id);

  Request req;
  req.has_id = has_id;
  req.id = std::move(id);
  req.method = std::string(method->get_string());
  if (auto* params = obj.if_contains("params")) {
    if (!params->is_array()) return invalid("'params' member must be of type array", has_id, req.id);
    req.params = std::move(params->get_array());
  }
  return req;
}

}  // namespace mw::rpc
