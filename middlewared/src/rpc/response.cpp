#include "rpc/response.hpp"

#include <boost/json/serialize.hpp>

#include <middlewared/errors.hpp>
#include <middlewared/guard.hpp>
#include <mw/util/python.hpp>

namespace mw::rpc {
namespace {

json::value triples(const ValidationErrors& errors) {
  json::array out;
  for (const auto& e : errors.errors()) {
    json::array t;
    t.emplace_back(e.attribute ? json::value(*e.attribute) : json::value(nullptr));
    t.emplace_back(e.message);
    t.emplace_back(e.errnum);
    out.emplace_back(std::move(t));
  }
  return out;
}

}  // namespace

json::object error_object(int errnum, std::string reason, std::string_view cls, json::value extra) {
  json::object o;
  o["error"] = errnum;
  o["errname"] = errno_name(errnum);
  std::string repr = std::string(cls) + "(" + util::python_str_repr(reason) + ")";
  o["reason"] = std::move(reason);
  // Our traces carry no stack frames (ARCHITECTURE.md: no stack traces on the wire); the class
  // and repr are what clients use.
  json::object trace;
  trace["class"] = std::string(cls);
  trace["formatted"] = "";
  trace["repr"] = std::move(repr);
  o["trace"] = std::move(trace);
  o["extra"] = std::move(extra);
  return o;
}

WireError exception_to_wire(std::exception_ptr e) {
  try {
    std::rethrow_exception(e);
  } catch (const ValidationErrors& v) {
    return {kInvalidParams, "Invalid params",
            error_object(EINVAL, v.what(), v.is_single() ? "ValidationError" : "ValidationErrors", triples(v))};
  } catch (const CallError& c) {
    std::string reason = "[" + errno_name(c.errnum()) + "] " + c.message();
    return {kCallError, "Method call error", error_object(c.errnum(), std::move(reason), "CallError", c.extra())};
  } catch (const MatchNotFound& m) {
    return {kCallError, "Method call error", error_object(EINVAL, m.what(), "MatchNotFound", nullptr)};
  } catch (const JobAborted&) {
    return {kCallError, "Method call error", error_object(ECANCELED, "Job aborted", "JobAborted", nullptr)};
  } catch (...) {
    // Not one of our error types: its text is for the log (the caller logs it), not for clients.
    return {kCallError, "Method call error", error_object(EINVAL, std::string(kUnexpectedError), "Exception", nullptr)};
  }
}

bool is_unexpected(std::exception_ptr e) {
  try {
    std::rethrow_exception(e);
  } catch (const ValidationErrors&) {
  } catch (const CallError&) {
  } catch (const MatchNotFound&) {
  } catch (const JobAborted&) {
  } catch (...) {
    return true;
  }
  return false;
}

WireError current_exception_to_wire() { return exception_to_wire(std::current_exception()); }

std::string encode_result(const json::value& id, const json::value& result) {
  // Key order as TrueNAS emits it: jsonrpc, result, id.
  json::object o;
  o["jsonrpc"] = "2.0";
  o["result"] = result;
  o["id"] = id;
  return json::serialize(o);
}

namespace {
constexpr std::string_view kIdKey = R"(,"id":)";
}

std::size_t result_tail_size(const json::value& id) {
  // A number takes at most 24 characters; a string at most 6 per byte (\u escapes) and its quotes.
  const std::size_t id_size = id.is_string() ? id.get_string().size() * 6 + 2 : 24;
  return kIdKey.size() + id_size + 1;
}

void append_result_tail(std::string& frame, const json::value& id) {
  frame += kIdKey;
  frame += json::serialize(id);
  frame += '}';
}

std::string encode_error(const json::value& id, const WireError& error) {
  json::object err;
  err["code"] = error.code;
  err["message"] = error.message;
  if (!error.data.is_null()) err["data"] = error.data;
  json::object o;
  o["jsonrpc"] = "2.0";
  o["error"] = std::move(err);
  o["id"] = id;
  return json::serialize(o);
}

std::string encode_error(const json::value& id, int code, std::string_view message) {
  return encode_error(id, WireError{code, std::string(message), nullptr});
}

std::string encode_notification(std::string_view method, json::value params) {
  json::object o;
  o["jsonrpc"] = "2.0";
  o["method"] = method;
  o["params"] = std::move(params);
  return json::serialize(o);
}

JobFailure exception_to_job_failure(std::exception_ptr e) {
  JobFailure f;
  json::object info;
  try {
    std::rethrow_exception(e);
  } catch (const JobAborted&) {
    f.aborted = true;
    return f;
  } catch (const ValidationErrors& v) {
    f.error = v.what();
    info["repr"] = "ValidationErrors(" + util::python_str_repr(f.error) + ")";
    info["type"] = "VALIDATION";
    info["errno"] = nullptr;
    info["extra"] = triples(v);
  } catch (const CallError& c) {
    f.error = "[" + errno_name(c.errnum()) + "] " + c.message();
    info["repr"] = "CallError(" + util::python_str_repr(f.error) + ")";
    info["type"] = "CallError";
    info["errno"] = c.errnum();
    info["extra"] = c.extra();
  } catch (...) {
    f.error = std::string(kUnexpectedError);
    info["repr"] = "Exception(" + util::python_str_repr(f.error) + ")";
    info["type"] = "Exception";
    info["errno"] = nullptr;
    info["extra"] = nullptr;
  }
  f.exc_info = std::move(info);
  return f;
}

}  // namespace mw::rpc
