#pragma once
// Encoding of JSON-RPC answers and the one place where exceptions become wire errors.
#include <exception>
#include <string>

#include <middlewared/json.hpp>

namespace mw::rpc {

// JSON-RPC error codes used by the server.
inline constexpr int kParseError = -32700;
inline constexpr int kInvalidRequest = -32600;
inline constexpr int kMethodNotFound = -32601;
inline constexpr int kInvalidParams = -32602;
inline constexpr int kSerializeError = -32603;
inline constexpr int kTooManyCalls = -32000;
inline constexpr int kCallError = -32001;

// A failure as the wire shows it: the code, message and the TrueNAS error object (`data`).
struct WireError {
  int code = kCallError;
  std::string message = "Method call error";
  json::value data;  // null for protocol errors
};

// Maps the currently handled exception (call inside a catch block) to its wire form.
WireError current_exception_to_wire();
WireError exception_to_wire(std::exception_ptr e);
// True for an exception that is none of errors.hpp's types: a bug or a library failure. Clients
// get kUnexpectedError (guard.hpp) for it; whoever catches it logs it.
bool is_unexpected(std::exception_ptr e);

// The TrueNAS error object: {error, errname, reason, trace, extra}.
json::object error_object(int errnum, std::string reason, std::string_view cls, json::value extra);

std::string encode_result(const json::value& id, const json::value& result);
// The same frame around a result that is JSON text already (spliced in, not parsed): the head,
// the result, then the tail, which append_result_tail() adds (about result_tail_size() bytes).
inline constexpr std::string_view kResultHead = R"({"jsonrpc":"2.0","result":)";
// About the tail's size, without serialising the id (a guess short of it only costs a reallocation).
std::size_t result_tail_size(const json::value& id);
void append_result_tail(std::string& frame, const json::value& id);
std::string encode_error(const json::value& id, const WireError& error);
std::string encode_error(const json::value& id, int code, std::string_view message);
std::string encode_notification(std::string_view method, json::value params);

// Job-facing form of an error: error string, exc_info object.
struct JobFailure {
  std::string error;
  json::value exc_info;  // {repr, type, errno, extra}
  bool aborted = false;
};
JobFailure exception_to_job_failure(std::exception_ptr e);

}  // namespace mw::rpc
