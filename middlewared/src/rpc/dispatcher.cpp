#include "rpc/dispatcher.hpp"

#include <chrono>

#include <boost/asio/post.hpp>
#include <boost/json/serialize.hpp>
#include <spdlog/spdlog.h>

#include <middlewared/errors.hpp>

#include "jobs/job_manager.hpp"
#include "rpc/request.hpp"
#include "rpc/response.hpp"
#include "server/connection.hpp"

namespace mw::rpc {

struct PendingCall {
  Request request;
  const MethodEntry* entry;
  std::shared_ptr<const Credentials> credentials;
  std::chrono::steady_clock::time_point received;
};

const char* call_outcome_name(CallOutcome outcome) {
  switch (outcome) {
    case CallOutcome::Success: return "success";
    case CallOutcome::Error: return "error";
    case CallOutcome::Refused: return "refused";
    case CallOutcome::UnknownMethod: return "unknown_method";
  }
  return "error";
}

namespace {

std::string id_text(const Request& r) { return r.has_id ? json::serialize(r.id) : std::string("-"); }

std::string_view reason_of(const WireError& e) {
  if (auto* o = e.data.if_object())
    if (auto* r = o->if_contains("reason"); r && r->is_string()) return r->get_string();
  return e.message;
}

std::string_view errname_of(const WireError& e) {
  if (auto* o = e.data.if_object())
    if (auto* n = o->if_contains("errname"); n && n->is_string()) return n->get_string();
  return "EINVAL";
}

}  // namespace

Dispatcher::Dispatcher(const MethodTable& methods, jobs::JobManager& jobs, std::size_t worker_threads,
                       std::shared_ptr<spdlog::logger> log, bool check_results)
    : methods_(methods), jobs_(jobs), workers_(worker_threads), log_(std::move(log)), check_results_(check_results) {}

Dispatcher::~Dispatcher() { shutdown(); }

void Dispatcher::shutdown() { workers_.join(); }

void Dispatcher::add_observer(std::shared_ptr<CallObserver> observer) { observers_.push_back(std::move(observer)); }

void Dispatcher::notify(const CallRecord& record) const {
  for (const auto& o : observers_) o->on_call(record);
}

void Dispatcher::answer(server::Connection& c, const std::string& frame) const {
  c.send(std::make_shared<const std::string>(frame));
}

void Dispatcher::on_message(const std::shared_ptr<server::Connection>& c, std::string_view frame) {
  auto received = std::chrono::steady_clock::now();
  ParseResult parsed = parse_request(frame);
  if (auto* err = std::get_if<RequestError>(&parsed)) {
    // Parse errors always answer; malformed requests only when they carried an id.
    if (err->code == kParseError || err->has_id) answer(*c, encode_error(err->id, err->code, err->message));
    return;
  }
  Request& req = std::get<Request>(parsed);
  const MethodEntry* entry = methods_.find(req.method);
  auto credentials = c->credentials();
  auto record = [&](CallOutcome outcome, std::string_view errname, std::string_view reason) {
    if (observers_.empty()) return;
    CallRecord r{req.method, credentials.get(), &c->peer(), nullptr, outcome, errname, reason,
                 std::chrono::steady_clock::now() - received, std::nullopt};
    notify(r);
  };
  if (!entry) {
    record(CallOutcome::UnknownMethod, "ENOMETHOD", "Method does not exist");
    if (req.has_id) answer(*c, encode_error(req.id, kMethodNotFound, "Method does not exist"));
    return;
  }

  auto refuse = [&](const char* reason, int errnum) {
    std::string text = "[" + errno_name(errnum) + "] " + reason;
    record(CallOutcome::Refused, errno_name(errnum), text);
    if (!req.has_id) return;
    answer(*c, encode_error(req.id, WireError{kCallError, "Method call error",
                                              error_object(errnum, std::move(text), "CallError", nullptr)}));
  };
  if (!entry->spec.no_auth) {
    if (!credentials) return refuse("Not authenticated", ENOTAUTHENTICATED);
    if (!credentials->has_any_role(entry->spec.roles)) return refuse("Not authorized", EACCES);
  }

  if (!c->try_admit()) {
    record(CallOutcome::Refused, "ETOOMANYREFS", "Maximum number of concurrent calls (20) has exceeded");
    if (req.has_id)
      answer(*c, encode_error(req.id, kTooManyCalls, "Maximum number of concurrent calls (20) has exceeded"));
    return;
  }
  log_->debug("call {} id={} session={} user={}", req.method, id_text(req), c->id(),
              credentials ? credentials->username : "-");

  PendingCall call{std::move(req), entry, std::move(credentials), received};
  if (entry->spec.job) {
    start_job(c, std::move(call));
    return;
  }
  c->run_when_slot_free([this, c, call = std::move(call)]() mutable {
    boost::asio::post(workers_, [this, c, call = std::move(call)]() mutable { run_call(c, std::move(call)); });
  });
}

void Dispatcher::run_call(const std::shared_ptr<server::Connection>& c, PendingCall call) {
  std::string out;
  try {
    call.entry->validate_params(call.request.params);
    CallContext ctx{call.request.method, id_text(call.request), call.credentials, c.get(), nullptr};
    json::value result = call.entry->spec.handler(ctx, call.request.params);
    if (check_results_) {
      for (const auto& problem : call.entry->check_result(result))
        log_->error("{} returned a result that breaks its schema: {}", call.request.method, problem);
    }
    if (call.request.has_id) out = encode_result(call.request.id, result);
    finished(c, call, CallOutcome::Success, {}, {});
  } catch (...) {
    WireError e = current_exception_to_wire();
    log_->debug("call {} id={} failed: {}", call.request.method, id_text(call.request), reason_of(e));
    if (call.request.has_id) out = encode_error(call.request.id, e);
    finished(c, call, CallOutcome::Error, errname_of(e), reason_of(e));
  }
  if (!out.empty()) answer(*c, out);
  c->finish_call();
}

void Dispatcher::finished(const std::shared_ptr<server::Connection>& c, const PendingCall& call, CallOutcome outcome,
                          std::string_view errname, std::string_view reason, std::optional<int> job_id) const {
  if (observers_.empty()) return;
  CallRecord r{call.request.method, call.credentials.get(), &c->peer(), &call.request.params, outcome, errname, reason,
               std::chrono::steady_clock::now() - call.received, job_id};
  notify(r);
}

void Dispatcher::start_job(const std::shared_ptr<server::Connection>& c, PendingCall call) {
  const MethodEntry* entry = call.entry;
  std::optional<std::string> lock;
  if (entry->spec.job_lock) {
    try {
      lock = entry->spec.job_lock(call.request.params);
    } catch (...) {
      std::string reason = "[EINVAL] Error handling job lock. This is most likely caused by invalid call arguments.";
      finished(c, call, CallOutcome::Error, "EINVAL", reason);
      if (call.request.has_id) {
        answer(*c, encode_error(call.request.id, WireError{kCallError, "Method call error",
                                                           error_object(EINVAL, reason, "CallError", nullptr)}));
      }
      c->finish_call();
      return;
    }
  }

  jobs::Submission s;
  s.method = call.request.method;
  s.arguments = call.request.params;
  s.message_id = call.request.has_id ? call.request.id : json::value(nullptr);
  s.credentials = call.credentials;
  s.lock = std::move(lock);
  s.lock_queue_size = entry->spec.lock_queue_size;
  // Validation runs inside the job (API-SPEC 3.3): bad arguments make a FAILED job.
  s.body = [this, entry, params = call.request.params, creds = call.credentials, method = call.request.method,
            weak = std::weak_ptr<server::Connection>(c)](Job& job) mutable -> json::value {
    entry->validate_params(params);
    auto session = weak.lock();
    CallContext ctx{method, std::to_string(job.id()), creds, session.get(), &job};
    json::value result = entry->spec.handler(ctx, params);
    if (check_results_)
      for (const auto& problem : entry->check_result(result))
        log_->error("{} returned a result that breaks its schema: {}", method, problem);
    return result;
  };

  std::shared_ptr<jobs::JobRecord> job;
  try {
    job = jobs_.submit(std::move(s));
  } catch (...) {
    WireError e = current_exception_to_wire();
    finished(c, call, CallOutcome::Error, errname_of(e), reason_of(e));
    if (call.request.has_id) answer(*c, encode_error(call.request.id, e));
    c->finish_call();
    return;
  }
  finished(c, call, CallOutcome::Success, {}, {}, job->id());

  if (c->legacy_jobs() || !call.request.has_id) {
    if (call.request.has_id) answer(*c, encode_result(call.request.id, job->id()));
    c->finish_call();
    return;
  }
  // legacy_jobs=false: the answer is withheld until the job ends and carries its outcome.
  job->on_finished([this, weak = std::weak_ptr<server::Connection>(c), id = call.request.id](const jobs::JobRecord& j) {
    auto conn = weak.lock();
    if (!conn) return;
    std::string out;
    try {
      out = encode_result(id, j.result_or_throw());
    } catch (const JobAborted&) {
      out = encode_result(id, nullptr);  // an aborted job answers null (API-SPEC 3.4)
    } catch (...) {
      out = encode_error(id, current_exception_to_wire());
    }
    answer(*conn, out);
    conn->finish_call();
  });
}

}  // namespace mw::rpc
