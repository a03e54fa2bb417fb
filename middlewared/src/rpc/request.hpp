#pragma once
// JSON-RPC 2.0 request parsing with TrueNAS's validation order and messages.
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include <middlewared/json.hpp>

namespace mw::rpc {

struct Request {
  bool has_id = false;  // false: a notification, nothing is ever sent back
  json::value id;       // null, a number or a string
  std::string method;
  json::array params;
};

// A request that failed one of the checks; `has_id` says whether an answer may be sent.
struct RequestError {
  int code;
  std::string message;
  bool has_id;  // parse/batch/format errors always answer with id null
  json::value id;
};

using ParseResult = std::variant<Request, RequestError>;

// Every answer repeats the request's id: a longer one is refused rather than sent back (strings
// count their characters, other values their JSON text).
inline constexpr std::size_t kMaxIdLength = 128;
bool id_too_long(const json::value& id);

ParseResult parse_request(std::string_view frame);

// Python-json-style text for a parse failure ("Expecting value: line 1 column 1 (char 0)").
std::string describe_json_error(std::string_view text);

}  // namespace mw::rpc
