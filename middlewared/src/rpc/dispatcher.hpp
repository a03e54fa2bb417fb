#pragma once
// The path of one call (ARCHITECTURE.md "How a call flows"): parse -> method lookup -> auth check
// -> admission (per-connection caps) -> worker pool: schema validation -> handler -> answer.
// Job methods become jobs; their answer is the job id or, for legacy_jobs=false, the job's end.
// Both wire formats (JSON-RPC and the legacy /websocket protocol) share this path; the connection's
// WireProtocol shapes the answers.
#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <middlewared/worker_pool.hpp>

#include "rpc/call_observer.hpp"
#include "rpc/method_table.hpp"
#include "rpc/rate_limiter.hpp"
#include "rpc/request.hpp"

namespace spdlog {
class logger;
}
namespace mw::jobs {
class JobManager;
class JobRecord;
}  // namespace mw::jobs
namespace mw::downloads {
class DownloadPipe;
}
namespace mw::session {
class ClientSession;
}

namespace mw::rpc {

// How a job method's call is carried: who asked, from where, and what the job reads or writes.
struct JobCall {
  json::value message_id = nullptr;  // the request id (null: none, or in-process)
  std::shared_ptr<const Credentials> credentials;
  std::weak_ptr<session::ClientSession> session;    // empty for in-process calls
  std::shared_ptr<downloads::DownloadPipe> output;  // core.download's pipe
  std::shared_ptr<UploadSource> upload;             // /_upload's file
  std::function<void()> on_end;                     // runs when the job's body ends, however
};

// What happens to a result that breaks its method's result schema: nothing is checked, the breach
// is logged, or the breach is logged and the call fails with it (what every test daemon runs
// with, so that a handler and its schema cannot drift apart unnoticed).
enum class ResultCheck { off, log, fail };

class Dispatcher {
 public:
  Dispatcher(const MethodTable& methods, jobs::JobManager& jobs, std::size_t worker_threads,
             std::shared_ptr<spdlog::logger> log, ResultCheck check_results, CallLimits limits = {});
  ~Dispatcher();

  // Handles one complete text frame from `connection`. Cheap work (parsing, lookup, auth) runs on
  // the calling (I/O) thread, and so do whole calls of methods that cannot block
  // (MethodSpec::may_block false); everything else on the worker pool.
  void on_message(const std::shared_ptr<session::ClientSession>& connection, std::string_view frame);

  // --- the steps of a call, shared with in-process calls (PluginHost::call) ---
  // The method, when `caller` may call it (null: the daemon itself, which may call anything);
  // throws CallError ENOMETHOD or EACCES.
  const MethodEntry& authorise(const std::string& method, const Credentials* caller) const;
  // Validates `params` (defaults filled in), runs the handler, checks the result's schema when
  // asked to.
  json::value invoke(const MethodEntry& entry, CallContext& ctx, json::array& params) const;
  // Submits a call of the job method `entry`: its lock, then a job whose body validates and runs
  // the handler (bad arguments make a FAILED job). Throws CallError for a lock that cannot be
  // computed from `params` or that admits no queue.
  std::shared_ptr<jobs::JobRecord> submit(const MethodEntry& entry, json::array params, JobCall call);

  // Registers an observer of every finished call (metrics, audit). Call before serving.
  void add_observer(std::shared_ptr<CallObserver> observer);

  void shutdown();
  // Runs `task` on a worker thread, where it may block.
  void run_on_worker(std::function<void()> task);

 private:
  void on_legacy_message(const std::shared_ptr<session::ClientSession>& c, std::string_view frame,
                         std::chrono::steady_clock::time_point received);
  void dispatch(const std::shared_ptr<session::ClientSession>& c, Request req,
                std::chrono::steady_clock::time_point received);
  // False when the caller used up its calls.
  bool within_rate_limit(const session::ClientSession& c, const Credentials* credentials, const std::string& method);
  // Whether `c` is held to the anonymous limits: an unauthenticated TCP peer, not exempt.
  bool anonymous_limited(const session::ClientSession& c, const Credentials* credentials) const;
  // Sends an error reply to a message that reached no method (unparsable, malformed, unknown
  // method, refused handshake). They cost the client nothing to provoke, so for anonymous peers
  // they count against one per-address limit; over it, the reply waits like a refused call and,
  // when it answers a request `id`, says Rate Limit Exceeded.
  void answer_error(const std::shared_ptr<session::ClientSession>& c, const json::value* id, std::string frame);
  // Answers a rate-limited call after a random delay (CallLimits::refusal_delay_*), on a timer.
  // A connection with too many such answers waiting is closed instead.
  void answer_later(const std::shared_ptr<session::ClientSession>& c, std::string frame);
  void notify(const CallRecord& record) const;
  // Logs every way `result` breaks the method's result schema; throws in ResultCheck::fail.
  void check_result(const MethodEntry& entry, const std::string& method, std::string_view call,
                    const json::value& result) const;
  // Takes the frame by value: an answer built here is moved into the send queue, not copied (a
  // vm.query answer can be megabytes).
  void answer(session::ClientSession& c, std::string frame) const;
  // Where a call runs: on the I/O thread that read it (methods that cannot block), or on a worker.
  enum class Where { Inline, Worker };
  void run_call(const std::shared_ptr<session::ClientSession>& c, struct PendingCall call, Where where);
  // A call whose handler answers later (CallContext::answer_later), and how it ends.
  class CallAnsweredLater;
  // The error answer to `call` (empty without an id), logged and recorded for the observers.
  std::string failed(const std::shared_ptr<session::ClientSession>& c, const struct PendingCall& call,
                     std::exception_ptr error) const;
  // Gives back the call's place among the connection's calls.
  static void release(session::ClientSession& c, Where where);
  void start_job(const std::shared_ptr<session::ClientSession>& c, struct PendingCall call);
  void finished(const std::shared_ptr<session::ClientSession>& c, const struct PendingCall& call, CallOutcome outcome,
                std::string_view errname, std::string_view reason, std::optional<int> job_id = std::nullopt) const;

  const MethodTable& methods_;
  jobs::JobManager& jobs_;
  WorkerPool workers_;
  std::shared_ptr<spdlog::logger> log_;
  ResultCheck check_results_;
  RateLimiter anonymous_calls_;
  RateLimiter anonymous_errors_;  // error replies per address, all kinds together
  RateLimiter user_calls_;
  bool exempt_loopback_;
  std::chrono::milliseconds refusal_delay_min_, refusal_delay_max_;
  std::vector<std::shared_ptr<CallObserver>> observers_;
};

}  // namespace mw::rpc
