#pragma once
// A failed call as the Python client's ClientException sees it, and the text midclt prints for
// it: the error, then the server traceback, then pprint(extra) when truthy.
#include <optional>
#include <stdexcept>
#include <string>

#include <boost/json/value.hpp>

namespace midclt {

class ClientError : public std::runtime_error {
 public:
  explicit ClientError(std::string error, std::optional<std::string> trace = std::nullopt,
                       boost::json::value extra = nullptr, std::optional<long long> errnum = std::nullopt);

  const std::string& error() const { return error_; }
  const std::optional<std::string>& trace() const { return trace_; }
  const boost::json::value& extra() const { return extra_; }
  const std::optional<long long>& errnum() const { return errnum_; }

 private:
  std::string error_;
  std::optional<std::string> trace_;
  boost::json::value extra_;
  std::optional<long long> errnum_;
};

// The name Python's errno.errorcode gives a number, "EUNKNOWN" when it has none (TrueNAS's own
// 201..210 included, as in the Python client's ValidationErrors text).
std::string python_errno_name(long long errnum);

// "[ERRNAME] attribute: message" per [attribute, message, errno] triple, joined by newlines;
// an empty or null attribute prints as ALL.
std::string validation_errors_text(const boost::json::value& triples);

// The JSON-RPC "error" member of a response: -32602 rebuilds the validation text, -32001 keeps
// reason, trace and extra, anything else is the message.
ClientError error_from_jsonrpc(const boost::json::value& error);

// The legacy protocol's "error" member of a {"msg":"result"} reply.
ClientError error_from_legacy(const boost::json::value& error);

// A job that ended FAILED or ABORTED (its merged core.get_jobs fields).
ClientError error_from_job(const boost::json::object& job, const boost::json::value& job_id);

// What midclt writes to stderr for the error; every part ends with a newline.
std::string render_error(const ClientError& error);

}  // namespace midclt
