// The JSON-RPC 2.0 request parser (rpc::parse_request) on any frame a client may send before it
// logs in, and the answers built from what it returns: nothing may throw or crash, an id is only
// ever null, a number or a string, and every answer is JSON.
#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <variant>

#include <middlewared/errors.hpp>

#include "fuzz_json.hpp"
#include "rpc/json_rpc_protocol.hpp"
#include "rpc/request.hpp"
#include "rpc/response.hpp"

namespace rpc = mw::rpc;
using mw::fuzz::must_be_json;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size) {
  std::string_view frame(reinterpret_cast<const char*>(data), size);
  rpc::ParseResult parsed = rpc::parse_request(frame);
  if (auto* req = std::get_if<rpc::Request>(&parsed)) {
    if (!req->id.is_null() && !req->id.is_number() && !req->id.is_string()) __builtin_trap();
    const auto& protocol = rpc::json_rpc::protocol();
    must_be_json(protocol.result(req->id, req->params));
    must_be_json(protocol.unknown_method(req->id, req->method));
    must_be_json(protocol.refused(req->id, mw::ENOTAUTHENTICATED, "Not authenticated"));
    must_be_json(protocol.too_many_calls(req->id));
  } else {
    const auto& err = std::get<rpc::RequestError>(parsed);
    must_be_json(rpc::encode_error(err.id, err.code, err.message));
  }
  return 0;
}
