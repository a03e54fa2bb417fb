#include "midclt/client_error.hpp"

#include <cstring>

#include <boost/json.hpp>

#include "midclt/py_format.hpp"

namespace midclt {
namespace json = boost::json;

namespace {

// Python prints non-strings through str(); these are the shapes that occur in practice.
std::string python_str(const json::value& v) {
  if (v.is_string()) return std::string(v.get_string());
  return python_print_form(v.is_null() ? json::value("None") : v);
}

const json::value* member(const json::value& v, std::string_view key) {
  if (!v.is_object()) return nullptr;
  return v.get_object().if_contains(key);
}

std::optional<long long> as_integer(const json::value* v) {
  if (!v) return std::nullopt;
  if (v->is_int64()) return v->get_int64();
  if (v->is_uint64()) return static_cast<long long>(v->get_uint64());
  return std::nullopt;
}

// trace['formatted'] as print() would show it, when the trace is truthy.
std::optional<std::string> trace_text(const json::value* trace) {
  if (!trace || !python_truthy(*trace)) return std::nullopt;
  const json::value* formatted = member(*trace, "formatted");
  if (!formatted) return std::nullopt;
  return python_str(*formatted);
}

ClientError validation_error(const json::value* triples) {
  return ClientError(validation_errors_text(triples ? *triples : json::value(json::array{})));
}

const char* jsonrpc_code_name(long long code) {
  switch (code) {
    case -32700:
      return "PARSE_ERROR";
    case -32600:
      return "INVALID_REQUEST";
    case -32601:
      return "METHOD_NOT_FOUND";
    case -32602:
      return "INVALID_PARAMS";
    case -32603:
      return "INTERNAL_ERROR";
    case -32000:
      return "TRUENAS_TOO_MANY_CONCURRENT_CALLS";
    case -32001:
      return "TRUENAS_CALL_ERROR";
    default:
      return "UNKNOWN_ERROR";
  }
}

}  // namespace

ClientError::ClientError(std::string error, std::optional<std::string> trace, json::value extra,
                         std::optional<long long> errnum)
    : std::runtime_error(error),
      error_(std::move(error)),
      trace_(std::move(trace)),
      extra_(std::move(extra)),
      errnum_(errnum) {}

std::string python_errno_name(long long errnum) {
  if (errnum <= 0 || errnum > 4095) return "EUNKNOWN";
  const char* name = strerrorname_np(static_cast<int>(errnum));
  return name ? name : "EUNKNOWN";
}

std::string validation_errors_text(const json::value& triples) {
  std::string out;
  if (!triples.is_array()) return out;
  bool first = true;
  for (const auto& triple : triples.get_array()) {
    if (!triple.is_array() || triple.get_array().size() < 3) continue;
    const auto& t = triple.get_array();
    auto errnum = as_integer(&t[2]);
    std::string attribute = python_truthy(t[0]) ? python_str(t[0]) : "ALL";
    if (!first) out += '\n';
    first = false;
    out += '[' + python_errno_name(errnum.value_or(-1)) + "] " + attribute + ": " + python_str(t[1]);
  }
  return out;
}

ClientError error_from_jsonrpc(const json::value& error) {
  long long code = as_integer(member(error, "code")).value_or(0);
  const json::value* data = member(error, "data");
  if (code == -32602 && data) return validation_error(member(*data, "extra"));
  if (code == -32001 && data) {
    const json::value* reason = member(*data, "reason");
    const json::value* extra = member(*data, "extra");
    return ClientError(reason && python_truthy(*reason) ? python_str(*reason) : std::string(),
                       trace_text(member(*data, "trace")), extra ? *extra : json::value(nullptr),
                       as_integer(member(*data, "error")));
  }
  const json::value* message = member(error, "message");
  if (message && python_truthy(*message)) return ClientError(python_str(*message));
  return ClientError(jsonrpc_code_name(code));
}

ClientError error_from_legacy(const json::value& error) {
  const json::value* trace = member(error, "trace");
  const json::value* type = member(error, "type");
  if (trace && python_truthy(*trace) && type && type->is_string() && type->get_string() == "VALIDATION")
    return validation_error(member(error, "extra"));
  const json::value* reason = member(error, "reason");
  const json::value* extra = member(error, "extra");
  return ClientError(reason && python_truthy(*reason) ? python_str(*reason) : std::string(), trace_text(trace),
                     extra ? *extra : json::value(nullptr), as_integer(member(error, "error")));
}

ClientError error_from_job(const json::object& job, const json::value& job_id) {
  const json::value* exc_info = job.if_contains("exc_info");
  const json::value* error = job.if_contains("error");
  if (exc_info && python_truthy(*exc_info)) {
    const json::value* type = member(*exc_info, "type");
    if (type && type->is_string() && type->get_string() == "VALIDATION")
      return validation_error(member(*exc_info, "extra"));
    const json::value* exception = job.if_contains("exception");
    const json::value* extra = member(*exc_info, "extra");
    return ClientError(error && python_truthy(*error) ? python_str(*error) : std::string(),
                       exception ? python_str(*exception) : std::string("None"), extra ? *extra : json::value(nullptr),
                       as_integer(member(*exc_info, "errno")));
  }
  if (error && python_truthy(*error)) return ClientError(python_str(*error));
  const json::value* state = job.if_contains("state");
  std::string state_repr =
      state && state->is_string() ? "'" + std::string(state->get_string()) + "'" : std::string("None");
  return ClientError("Job " + python_print_form(job_id) + " did not succeed (state=" + state_repr + ")");
}

std::string render_error(const ClientError& error) {
  std::string out;
  if (!error.error().empty()) out += error.error() + '\n';
  if (error.trace()) out += *error.trace() + '\n';
  if (python_truthy(error.extra())) out += python_pformat(error.extra()) + '\n';
  return out;
}

}  // namespace midclt
