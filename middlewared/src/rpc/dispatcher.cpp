#include "rpc/dispatcher.hpp"

#include <atomic>
#include <chrono>
#include <random>

#include <spdlog/spdlog.h>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <middlewared/client_text.hpp>
#include <middlewared/datastore.hpp>
#include <middlewared/errors.hpp>
#include <middlewared/guard.hpp>

#include "jobs/job_manager.hpp"
#include "rpc/legacy_protocol.hpp"
#include "rpc/request.hpp"
#include "rpc/response.hpp"
#include "session/client_session.hpp"
#include "session/peer_address.hpp"

namespace mw::rpc {

struct PendingCall {
  Request request;
  const MethodEntry* entry;
  std::shared_ptr<const Credentials> credentials;
  std::chrono::steady_clock::time_point received;
};

const char* call_outcome_name(CallOutcome outcome) {
  switch (outcome) {
    case CallOutcome::Success:
      return "success";
    case CallOutcome::Error:
      return "error";
    case CallOutcome::Refused:
      return "refused";
    case CallOutcome::UnknownMethod:
      return "unknown_method";
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

const WireProtocol& protocol_of(const session::ClientSession& c) { return wire_protocol(c.wire_format()); }

std::string_view errname_of(const WireError& e) {
  if (auto* o = e.data.if_object())
    if (auto* n = o->if_contains("errname"); n && n->is_string()) return n->get_string();
  return "EINVAL";
}

}  // namespace

Dispatcher::Dispatcher(const MethodTable& methods, jobs::JobManager& jobs, std::size_t worker_threads,
                       std::shared_ptr<spdlog::logger> log, ResultCheck check_results, CallLimits limits)
    : methods_(methods),
      jobs_(jobs),
      workers_(worker_threads, "worker pool", log),
      log_(std::move(log)),
      check_results_(check_results),
      anonymous_calls_(limits.anonymous_calls_per_method, limits.anonymous_window),
      anonymous_errors_(limits.anonymous_calls_per_method, limits.anonymous_window),
      user_calls_(limits.user_calls_per_window, limits.user_window),
      exempt_loopback_(limits.exempt_loopback),
      refusal_delay_min_(limits.refusal_delay_min),
      refusal_delay_max_(limits.refusal_delay_max) {}

Dispatcher::~Dispatcher() { shutdown(); }

void Dispatcher::shutdown() { workers_.join(); }

void Dispatcher::run_on_worker(std::function<void()> task) {
  boost::asio::post(workers_.get_executor(), std::move(task));
}

void Dispatcher::add_observer(std::shared_ptr<CallObserver> observer) { observers_.push_back(std::move(observer)); }

void Dispatcher::notify(const CallRecord& record) const {
  for (const auto& o : observers_) o->on_call(record);
}

void Dispatcher::answer(session::ClientSession& c, std::string frame) const {
  c.send(std::make_shared<const std::string>(std::move(frame)));
}

void Dispatcher::on_message(const std::shared_ptr<session::ClientSession>& c, std::string_view frame) {
  auto received = std::chrono::steady_clock::now();
  if (c->wire_format() == WireFormat::Legacy) return on_legacy_message(c, frame, received);
  ParseResult parsed = parse_request(frame);
  if (auto* err = std::get_if<RequestError>(&parsed)) {
    // Parse errors always answer; malformed requests only when they carried an id.
    if (err->code == kParseError || err->has_id)
      answer_error(c, &err->id, encode_error(err->id, err->code, err->message));
    return;
  }
  dispatch(c, std::move(std::get<Request>(parsed)), received);
}

void Dispatcher::on_legacy_message(const std::shared_ptr<session::ClientSession>& c, std::string_view frame,
                                   std::chrono::steady_clock::time_point received) {
  legacy::Message message = legacy::parse(frame);
  if (auto* bad = std::get_if<legacy::Malformed>(&message)) {
    // The legacy protocol closes instead of answering.
    c->close(1007, bad->reason);
    return;
  }
  if (auto* connect = std::get_if<legacy::Connect>(&message)) {
    if (connect->version != "1") return answer_error(c, nullptr, legacy::encode_failed());
    c->set_handshake_done();
    return answer(*c, legacy::encode_connected(c->id()));
  }
  if (!c->handshake_done()) return answer_error(c, nullptr, legacy::encode_failed());

  if (auto* call = std::get_if<legacy::Call>(&message)) {
    if (!call->params.is_null() && !call->params.is_array())
      return answer_error(c, &call->id, legacy::encode_plain_error(call->id, EINVAL, "`params` must be a list."));
    Request req;
    req.has_id = true;  // every legacy call is answered
    req.id = std::move(call->id);
    req.method = std::move(call->method);
    if (call->params.is_array()) req.params = std::move(call->params.as_array());
    return dispatch(c, std::move(req), received);
  }
  if (auto* sub = std::get_if<legacy::Subscribe>(&message)) {
    try {
      c->subscribe_with_id(legacy::id_text(sub->id), sub->name);
    } catch (const CallError& e) {
      // TrueNAS answers every refused subscription "Not authorized"; only our cap says more.
      bool cap = e.errnum() == ETOOMANYREFS;
      return answer_error(c, &sub->id,
                          legacy::encode_plain_error(sub->id, cap ? ETOOMANYREFS : EACCES,
                                                     cap ? e.message() : std::string("Not authorized")));
    }
    return answer(*c, legacy::encode_ready(sub->id));
  }
  if (auto* unsub = std::get_if<legacy::Unsubscribe>(&message)) return c->unsubscribe(legacy::id_text(unsub->id));
  if (auto* ping = std::get_if<legacy::Ping>(&message)) return answer(*c, legacy::encode_pong(ping->id));
  // Other "msg" kinds: nothing to do (TrueNAS ignores them too).
}

void Dispatcher::answer_error(const std::shared_ptr<session::ClientSession>& c, const json::value* id,
                              std::string frame) {
  if (!anonymous_limited(*c, c->credentials().get()) || anonymous_errors_.allow(c->peer().remote_address))
    return answer(*c, frame);
  log_->debug("rate limit: error reply delayed for {}", c->peer().origin());
  answer_later(c, id ? protocol_of(*c).refused(*id, EBUSY, "Rate Limit Exceeded") : std::move(frame));
}

void Dispatcher::answer_later(const std::shared_ptr<session::ClientSession>& c, std::string frame) {
  if (!c->hold_delayed_answer()) {
    // Each waiting answer holds a timer and its frame: a client hammering on while refused would
    // pile them up without bound.
    log_->debug("session {} ({}) closed: {} refusals already waiting", c->id(), c->peer().origin(),
                session::ClientSession::kMaxDelayedAnswers);
    return c->close(1008, "Too many requests while rate limited");
  }
  thread_local std::mt19937 random{std::random_device{}()};
  std::uniform_int_distribution<long long> pick(refusal_delay_min_.count(), refusal_delay_max_.count());
  auto timer =
      std::make_shared<boost::asio::steady_timer>(workers_.get_executor(), std::chrono::milliseconds(pick(random)));
  timer->async_wait([this, c, timer, frame = std::move(frame)](const boost::system::error_code& ec) {
    if (!ec) answer(*c, frame);
    c->release_delayed_answer();
  });
}

bool Dispatcher::anonymous_limited(const session::ClientSession& c, const Credentials* credentials) const {
  // Only TCP peers: a unix-socket peer is a local process with credentials the kernel vouches for.
  const PeerInfo& peer = c.peer();
  if (credentials || peer.transport != PeerInfo::Transport::Tcp) return false;
  return !(exempt_loopback_ && session::is_loopback_address(peer.remote_address));
}

bool Dispatcher::within_rate_limit(const session::ClientSession& c, const Credentials* credentials,
                                   const std::string& method) {
  const PeerInfo& peer = c.peer();
  if (!credentials) {
    // Unauthenticated: limited per method and remote address.
    if (!anonymous_limited(c, credentials)) return true;
    return anonymous_calls_.allow(method + '\n' + peer.remote_address);
  }
  if (peer.transport == PeerInfo::Transport::Unix && credentials->uid == 0u) return true;  // root on the socket
  return user_calls_.allow(credentials->username);
}

void Dispatcher::dispatch(const std::shared_ptr<session::ClientSession>& c, Request req,
                          std::chrono::steady_clock::time_point received) {
  const WireProtocol& protocol = protocol_of(*c);
  const MethodEntry* entry = methods_.find(req.method);
  auto credentials = c->credentials();
  auto record = [&](CallOutcome outcome, std::string_view errname, std::string_view reason) {
    if (observers_.empty()) return;
    CallRecord r{req.method,  credentials.get(), &c->peer(), nullptr,
                 outcome,     errname,           reason,     std::chrono::steady_clock::now() - received,
                 std::nullopt};
    notify(r);
  };
  auto refuse = [&](const char* reason, int errnum) {
    record(CallOutcome::Refused, errno_name(errnum), "[" + errno_name(errnum) + "] " + reason);
    if (req.has_id) answer(*c, protocol.refused(req.id, errnum, reason));
  };
  if (!entry) {
    // Before login an unknown name is refused like any other method: the method list cannot be
    // probed without credentials, and calls of TrueNAS methods we lack fail as TrueNAS's do
    // (docs/COMPATIBILITY.md).
    if (!credentials) {
      record(CallOutcome::Refused, errno_name(ENOTAUTHENTICATED), "[ENOTAUTHENTICATED] Not authenticated");
      if (req.has_id) answer_error(c, &req.id, protocol.refused(req.id, ENOTAUTHENTICATED, "Not authenticated"));
      return;
    }
    record(CallOutcome::UnknownMethod, "ENOMETHOD", "Method does not exist");
    if (req.has_id) answer_error(c, &req.id, protocol.unknown_method(req.id, req.method));
    return;
  }
  // core.set_options is never limited: clients call it first on every connection.
  if (req.method != "core.set_options" && !within_rate_limit(*c, credentials.get(), req.method)) {
    log_->debug("rate limit: {} refused for {} ({})", req.method, credentials ? log_text(credentials->username) : "-",
                c->peer().origin());
    record(CallOutcome::Refused, "EBUSY", "[EBUSY] Rate Limit Exceeded");
    if (req.has_id) answer_later(c, protocol.refused(req.id, EBUSY, "Rate Limit Exceeded"));
    return;
  }
  if (!entry->spec.no_auth) {
    if (!credentials) return refuse("Not authenticated", ENOTAUTHENTICATED);
    if (!credentials->has_any_role(entry->spec.roles)) return refuse("Not authorized", EACCES);
  }

  if (!c->try_admit()) {
    record(CallOutcome::Refused, "ETOOMANYREFS", "Maximum number of concurrent calls (20) has exceeded");
    if (req.has_id) answer(*c, protocol.too_many_calls(req.id));
    return;
  }
  if (log_->should_log(spdlog::level::debug))  // the arguments cost more than a fast call
    log_->debug("call {} id={} session={} user={}", req.method, id_text(req), c->id(),
                credentials ? log_text(credentials->username) : "-");

  PendingCall call{std::move(req), entry, std::move(credentials), received};
  if (entry->spec.job) {
    start_job(c, std::move(call));
    return;
  }
  if (!entry->spec.may_block) {
    // Run to completion here, on the thread that read the frame: it cannot block, and handing it
    // to a worker would cost more than the call (docs/THREADS.md). It takes no running slot.
    run_call(c, std::move(call), Where::Inline);
    return;
  }
  c->run_when_slot_free([this, c, call = std::move(call)]() mutable {
    boost::asio::post(workers_.get_executor(),
                      [this, c, call = std::move(call)]() mutable { run_call(c, std::move(call), Where::Worker); });
  });
}

// A call whose handler answers later. It holds what the call's end needs (the connection, the
// request, the place the call took), and ends the call once: from succeed() or fail(), on
// whichever thread knows the outcome, or from its destructor when nobody did.
class Dispatcher::CallAnsweredLater final : public LaterAnswer {
 public:
  CallAnsweredLater(const Dispatcher& d, std::shared_ptr<session::ClientSession> c, PendingCall call, Where where)
      : d_(d), c_(std::move(c)), call_(std::move(call)), where_(where) {
    protocol_of(*c_).begin_result_text(call_.request.id, text_);
  }
  ~CallAnsweredLater() override {
    if (!ended_.exchange(true))
      end_with(std::make_exception_ptr(CallError("The call ended without an answer", EFAULT)));
  }
  ResultText& result_text() override { return text_; }
  void succeed() noexcept override {
    if (ended_.exchange(true)) return;
    std::string out;
    try {
      if (d_.check_results_ != ResultCheck::off)
        d_.check_result(*call_.entry, call_.request.method, "id=" + id_text(call_.request), json::parse(text_.text()));
      if (call_.request.has_id) out = protocol_of(*c_).end_result_text(call_.request.id, text_);
    } catch (...) {
      return end_with(std::current_exception());
    }
    d_.finished(c_, call_, CallOutcome::Success, {}, {});
    if (!out.empty()) d_.answer(*c_, std::move(out));
    release(*c_, where_);
  }
  void fail(std::exception_ptr error) noexcept override {
    if (!ended_.exchange(true)) end_with(std::move(error));
  }

 private:
  void end_with(std::exception_ptr error) noexcept {
    try {
      if (std::string out = d_.failed(c_, call_, std::move(error)); !out.empty()) d_.answer(*c_, std::move(out));
    } catch (...) {  // nothing more to tell the client; its place is given back below
    }
    release(*c_, where_);
  }

  const Dispatcher& d_;
  std::shared_ptr<session::ClientSession> c_;
  PendingCall call_;
  Where where_;
  ResultText text_;
  std::atomic<bool> ended_{false};
};

void Dispatcher::run_call(const std::shared_ptr<session::ClientSession>& c, PendingCall call, Where where) {
  std::string out;
  std::shared_ptr<session::StreamedAnswer> streamed;
  // Once the handler took it, the call is its: `call` has moved into it, and it ends the call.
  std::shared_ptr<CallAnsweredLater> later;
  // What answer_later() needs, reached through one reference: std::function keeps a callable that
  // small in place, so a call that never answers later allocates nothing for it.
  struct Later {
    const Dispatcher& d;
    const std::shared_ptr<session::ClientSession>& c;
    PendingCall& call;
    Where where;
    std::shared_ptr<CallAnsweredLater>& answer;
  };
  try {
    // The handler's database writes do not wait for the disk while it holds its locks: they
    // share fsyncs with concurrent calls' writes, and the call is answered once they are on disk.
    DurabilityScope durable;
    // Validation fills in defaults; observers (the audit log) see the params as the caller sent
    // them, so they get the untouched copy. Without observers nobody looks: no copy.
    json::array params = observers_.empty() ? std::move(call.request.params) : call.request.params;
    CallContext ctx{call.request.method, id_text(call.request), call.credentials, c.get(), nullptr};
    const WireProtocol& protocol = protocol_of(*c);
    ctx.result_text_allowed = true;
    protocol.begin_result_text(call.request.id, ctx.result_text);
    // The result check needs the whole text; an answer nobody reads is not worth streaming.
    if (protocol.streams_results() && check_results_ == ResultCheck::off && call.request.has_id)
      ctx.result_text.allow_stream();
    Later how{*this, c, call, where, later};
    ctx.answer_later = AnswerLater([&how]() -> std::shared_ptr<LaterAnswer> {
      if (!how.answer) how.answer = std::make_shared<CallAnsweredLater>(how.d, how.c, std::move(how.call), how.where);
      return how.answer;
    });
    json::value result = invoke(*call.entry, ctx, params);
    if (later) return;
    durable.wait();
    if (call.request.has_id) {
      if (ctx.result_text.streamed())
        streamed = protocol.streamed_result(call.request.id, ctx.result_text);
      else
        out = ctx.result_text.written() ? protocol.end_result_text(call.request.id, ctx.result_text)
                                        : protocol.result(call.request.id, result);
    }
    finished(c, call, CallOutcome::Success, {}, {});
  } catch (...) {
    if (later) return later->fail(std::current_exception());
    out = failed(c, call, std::current_exception());
  }
  if (streamed)
    c->send_stream(std::move(streamed));
  else if (!out.empty())
    answer(*c, std::move(out));
  release(*c, where);
}

std::string Dispatcher::failed(const std::shared_ptr<session::ClientSession>& c, const PendingCall& call,
                               std::exception_ptr error) const {
  if (is_unexpected(error))
    log_unexpected(log_, call.request.method + " (call id=" + id_text(call.request) + ")", error);
  WireError e = exception_to_wire(error);
  log_->debug("call {} id={} failed: {}", call.request.method, id_text(call.request), log_text(reason_of(e), 1024));
  std::string out;
  if (call.request.has_id) out = protocol_of(*c).error(call.request.id, error, e);
  finished(c, call, CallOutcome::Error, errname_of(e), reason_of(e));
  return out;
}

void Dispatcher::release(session::ClientSession& c, Where where) {
  if (where == Where::Inline)
    c.finish_inline_call();
  else
    c.finish_call();
}

void Dispatcher::check_result(const MethodEntry& entry, const std::string& method, std::string_view call,
                              const json::value& result) const {
  if (check_results_ == ResultCheck::off) return;
  auto problems = entry.check_result(result);
  for (const auto& problem : problems)
    log_->error("{} {} returned a result that breaks its schema: {}", method, call, problem);
  if (check_results_ == ResultCheck::fail && !problems.empty())
    throw CallError(method + " returned a result that breaks its schema: " + problems.front(), EBADMSG);
}

void Dispatcher::finished(const std::shared_ptr<session::ClientSession>& c, const PendingCall& call,
                          CallOutcome outcome, std::string_view errname, std::string_view reason,
                          std::optional<int> job_id) const {
  if (observers_.empty()) return;
  CallRecord r{call.request.method,
               call.credentials.get(),
               &c->peer(),
               &call.request.params,
               outcome,
               errname,
               reason,
               std::chrono::steady_clock::now() - call.received,
               job_id};
  notify(r);
}

const MethodEntry& Dispatcher::authorise(const std::string& method, const Credentials* caller) const {
  const MethodEntry* entry = methods_.find(method);
  if (!entry) throw CallError("Method '" + method + "' not found", ENOMETHOD);
  if (caller && !entry->spec.no_auth && !caller->has_any_role(entry->spec.roles))
    throw CallError("Not authorized", EACCES);
  return *entry;
}

json::value Dispatcher::invoke(const MethodEntry& entry, CallContext& ctx, json::array& params) const {
  entry.validate_params(params);
  json::value result = entry.spec.handler(ctx, params);
  if (ctx.answer_later.taken()) return nullptr;  // checked when it answers
  // A handler that answered with ready JSON text is checked on that text, parsed back.
  if (ctx.result_text.written() && check_results_ != ResultCheck::off) result = json::parse(ctx.result_text.text());
  check_result(entry, entry.spec.name, (ctx.job ? "job=" : "id=") + ctx.call_id, result);
  return result;
}

std::shared_ptr<jobs::JobRecord> Dispatcher::submit(const MethodEntry& entry, json::array params, JobCall call) {
  jobs::Submission s;
  if (entry.spec.job_lock) {
    try {
      s.lock = entry.spec.job_lock(params);
    } catch (...) {
      throw CallError("Error handling job lock. This is most likely caused by invalid call arguments.", EINVAL);
    }
  }
  s.method = entry.spec.name;
  s.arguments = entry.shown_params(params);  // core.get_jobs shows them to others
  s.message_id = std::move(call.message_id);
  s.credentials = call.credentials;
  s.lock_queue_size = entry.spec.lock_queue_size;
  s.output = std::move(call.output);
  s.body = [this, &entry, params = std::move(params), call = std::move(call)](Job& job) mutable -> json::value {
    struct AtEnd {
      std::function<void()>& fn;
      ~AtEnd() {
        if (fn) fn();
      }
    } at_end{call.on_end};
    auto session = call.session.lock();
    CallContext ctx{entry.spec.name,  std::to_string(job.id()), call.credentials, session.get(), &job,
                    call.upload.get()};
    return invoke(entry, ctx, params);
  };
  return jobs_.submit(std::move(s));
}

void Dispatcher::start_job(const std::shared_ptr<session::ClientSession>& c, PendingCall call) {
  std::shared_ptr<jobs::JobRecord> job;
  try {
    JobCall how{call.request.has_id ? call.request.id : json::value(nullptr), call.credentials, c};
    job = submit(*call.entry, call.request.params, std::move(how));
  } catch (...) {
    auto error = std::current_exception();
    WireError e = exception_to_wire(error);
    finished(c, call, CallOutcome::Error, errname_of(e), reason_of(e));
    if (call.request.has_id) answer(*c, protocol_of(*c).error(call.request.id, error, e));
    c->finish_call();
    return;
  }
  finished(c, call, CallOutcome::Success, {}, {}, job->id());

  if (c->legacy_jobs() || !call.request.has_id) {
    if (call.request.has_id) answer(*c, protocol_of(*c).result(call.request.id, job->id()));
    c->finish_call();
    return;
  }
  // legacy_jobs=false: the answer is withheld until the job ends and carries its outcome.
  job->on_finished(
      [this, weak = std::weak_ptr<session::ClientSession>(c), id = call.request.id](const jobs::JobRecord& j) {
        auto conn = weak.lock();
        if (!conn) return;
        const WireProtocol& protocol = protocol_of(*conn);
        std::string out;
        try {
          out = protocol.result(id, j.result_or_throw());
        } catch (const JobAborted&) {
          out = protocol.result(id, nullptr);  // an aborted job answers null
        } catch (...) {
          auto error = std::current_exception();
          out = protocol.error(id, error, exception_to_wire(error));
        }
        answer(*conn, std::move(out));
        conn->finish_call();
      });
}

}  // namespace mw::rpc
