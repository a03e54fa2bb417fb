#include "rpc/dispatcher.hpp"

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
};

namespace {

std::string id_text(const Request& r) { return r.has_id ? json::serialize(r.id) : std::string("-"); }

}  // namespace

Dispatcher::Dispatcher(const MethodTable& methods, jobs::JobManager& jobs, std::size_t worker_threads,
                       std::shared_ptr<spdlog::logger> log, bool check_results)
    : methods_(methods), jobs_(jobs), workers_(worker_threads), log_(std::move(log)), check_results_(check_results) {}

Dispatcher::~Dispatcher() { shutdown(); }

void Dispatcher::shutdown() { workers_.join(); }

void Dispatcher::answer(server::Connection& c, const std::string& frame) const {
  c.send(std::make_shared<const std::string>(frame));
}

void Dispatcher::on_message(const std::shared_ptr<server::Connection>& c, std::string_view frame) {
  ParseResult parsed = parse_request(frame);
  if (auto* err = std::get_if<RequestError>(&parsed)) {
    // Parse errors always answer; malformed requests only when they carried an id.
    if (err->code == kParseError || err->has_id) answer(*c, encode_error(err->id, err->code, err->message));
    return;
  }
  Request& req = std::get<Request>(parsed);
  const MethodEntry* entry = methods_.find(req.method);
  if (!entry) {
    if (req.has_id) answer(*c, encode_error(req.id, kMethodNotFound, "Method does not exist"));
    return;
  }

  auto credentials = c->credentials();
  auto refuse = [&](const char* reason, int errnum) {
    if (!req.has_id) return;
    std::string text = "[" + errno_name(errnum) + "] " + reason;
    answer(*c, encode_error(req.id, WireError{kCallError, "Method call error",
                                              error_object(errnum, std::move(text), "CallError", nullptr)}));
  };
  if (!entry->spec.no_auth) {
    if (!credentials) return refuse("Not authenticated", ENOTAUTHENTICATED);
    if (!credentials->has_any_role(entry->spec.roles)) return refuse("Not authorized", EACCES);
  }

  if (!c->try_admit()) {
    if (req.has_id)
      answer(*c, encode_error(req.id, kTooManyCalls, "Maximum number of concurrent calls (20) has exceeded"));
    return;
  }
  log_->debug("call {} id={} session={} user={}", req.method, id_text(req), c->id(),
              credentials ? credentials->username : "-");

  PendingCall call{std::move(req), entry, std::move(credentials)};
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
  } catch (...) {
    WireError e = current_exception_to_wire();
    log_->debug("call {} id={} failed: {}", call.request.method, id_text(call.request),
                e.data.is_object() ? std::string(e.data.as_object().at("reason").as_string()) : e.message);
    if (call.request.has_id) out = encode_error(call.request.id, e);
  }
  if (!out.empty()) answer(*c, out);
  c->finish_call();
}

void Dispatcher::start_job(const std::shared_ptr<server::Connection>& c, PendingCall call) {
  const MethodEntry* entry = call.entry;
  std::optional<std::string> lock;
  if (entry->spec.job_lock) {
    try {
      lock = entry->spec.job_lock(call.request.params);
    } catch (...) {
      if (call.request.has_id) {
        std::string reason = "[EINVAL] Error handling job lock. This is most likely caused by invalid call arguments.";
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
    if (call.request.has_id) answer(*c, encode_error(call.request.id, current_exception_to_wire()));
    c->finish_call();
    return;
  }

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
