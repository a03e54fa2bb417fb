#pragma once
// The legacy `/websocket` protocol of 24.10 and older clients: message decoding
// and the encoding of every server message. Calls share the dispatcher with JSON-RPC; only the
// shapes differ.
#include <string>
#include <string_view>
#include <variant>

#include <middlewared/json.hpp>

#include "rpc/wire_protocol.hpp"

namespace mw::rpc::legacy {

struct Connect {
  std::string version;         // "" when absent or not a string
  bool py_exceptions = false;  // "PY_EXCEPTIONS" in features
};
struct Call {
  json::value id;
  std::string method;  // "" when absent or not a string
  json::value params;  // null when absent; must be an array (or null) to be valid
};
struct Subscribe {
  json::value id;
  std::string name;
};
struct Unsubscribe {
  json::value id;
};
struct Ping {
  json::value id;
};
struct Other {  // a known-shaped message with an unknown "msg": ignored
  std::string msg;
};
// Not JSON, not an object, or no string "msg": the connection is closed with 1007.
struct Malformed {
  std::string reason;
};

using Message = std::variant<Connect, Call, Subscribe, Unsubscribe, Ping, Other, Malformed>;

Message parse(std::string_view frame);

// Subscription ids are the client's; a non-string id is kept as its JSON text.
std::string id_text(const json::value& id);

std::string encode_connected(std::string_view session_id);
std::string encode_failed();
std::string encode_ready(const json::value& subscription_id);
std::string encode_pong(const json::value& id);
// {"msg":"result","id":..,"error":{error, errname, type, reason, trace, extra}} for errors the
// protocol itself raises (bad params, too many calls, refused subscription): no trace.
std::string encode_plain_error(const json::value& id, int errnum, std::string_view reason);

// "[ENOMETHOD] Method 'x' not found in 'vm'" for "vm.x".
std::string unknown_method_reason(std::string_view method);

const WireProtocol& protocol();

}  // namespace mw::rpc::legacy
