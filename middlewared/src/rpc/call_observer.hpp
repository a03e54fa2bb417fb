#pragma once
// Something that wants to know about every finished call: metrics counters, the audit log.
// Observers are registered before the server starts serving and are called on whichever thread
// finished the call (I/O thread for refusals, a worker otherwise), so they must be thread-safe
// and cheap: no blocking I/O on the caller's thread.
#include <chrono>
#include <optional>
#include <string_view>

#include <middlewared/credentials.hpp>
#include <middlewared/json.hpp>
#include <middlewared/session.hpp>

namespace mw::rpc {

enum class CallOutcome {
  Success,        // the handler returned, or the job was accepted
  Error,          // the handler (or validation) failed
  Refused,        // never ran: not authenticated, not authorized, rate limited, too many calls
  UnknownMethod,  // no such method
};

struct CallRecord {
  std::string_view method;
  const Credentials* credentials = nullptr;  // null when unauthenticated
  const PeerInfo* peer = nullptr;
  const json::array* params = nullptr;  // as received (before defaults); null for refusals
  CallOutcome outcome = CallOutcome::Success;
  std::string_view error_name;           // errname ("EINVAL", ...) when not Success
  std::string_view error_reason;         // the error's reason text when not Success
  std::chrono::nanoseconds duration{0};  // admission to answer
  std::optional<int> job_id;             // set when a job method was accepted
};

class CallObserver {
 public:
  virtual ~CallObserver() = default;
  virtual void on_call(const CallRecord& record) noexcept = 0;
};

const char* call_outcome_name(CallOutcome outcome);

}  // namespace mw::rpc
