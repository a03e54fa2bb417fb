#include "midclt/client.hpp"

#include <boost/json.hpp>

#include "midclt/py_format.hpp"

#include <mw/util/random.hpp>

namespace midclt {
namespace json = boost::json;

namespace {

constexpr Seconds kSubscribeTimeout{10};

std::string id_key(const json::value& id) {
  if (id.is_string()) return std::string(id.get_string());
  return wire_dumps(id);
}

bool has_string(const json::object& o, std::string_view key, std::string_view value) {
  const json::value* v = o.if_contains(key);
  return v && v->is_string() && v->get_string() == value;
}

std::optional<Clock::time_point> deadline_after(std::optional<Seconds> timeout) {
  if (!timeout) return std::nullopt;
  return Clock::now() + *timeout;
}

}  // namespace

Client::Client(std::unique_ptr<Transport> transport, bool legacy) : transport_(std::move(transport)), legacy_(legacy) {}

Client::~Client() = default;

void Client::throw_closed(const ConnectionClosed& closed) {
  // The Python client's text: code and reason as Python reprs.
  std::string code = closed.code ? std::to_string(*closed.code) : "None";
  std::string reason = closed.code ? "'" + closed.reason + "'" : "None";
  throw ClientError("WebSocket connection closed with code=" + code + ", reason=" + reason);
}

bool Client::pump(std::optional<Clock::time_point> deadline, std::optional<long long>* job_event) {
  std::optional<std::string> text;
  try {
    text = transport_->receive(deadline);
  } catch (const ConnectionClosed& closed) {
    throw_closed(closed);
  }
  if (!text) return false;
  boost::system::error_code ec;
  json::value message = json::parse(*text, ec);
  if (ec || !message.is_object()) return true;  // not ours to judge; the Python client logs and drops it
  if (legacy_)
    dispatch_legacy(message.get_object(), job_event);
  else
    dispatch_jsonrpc(message.get_object(), job_event);
  return true;
}

void Client::dispatch_jsonrpc(json::object& message, std::optional<long long>* job_event) {
  if (const json::value* method = message.if_contains("method"); method && method->is_string()) {
    json::value* params = message.if_contains("params");
    if (!params || !params->is_object()) return;
    if (method->get_string() == "collection_update") {
      auto job = jobs_.observe(params->get_object());
      if (job_event) *job_event = job;
      if (subscription_active_) events_.push_back(std::move(params->get_object()));
    } else if (method->get_string() == "notify_unsubscribed" && subscription_active_) {
      SubscriptionEnded end;
      if (const json::value* error = params->get_object().if_contains("error"); error && python_truthy(*error)) {
        const json::value* reason = error->is_object() ? error->get_object().if_contains("reason") : nullptr;
        end.error = reason && python_truthy(*reason) ? python_print_form(*reason) : python_print_form(*error);
      }
      ended_ = std::move(end);
    }
    return;
  }
  if (const json::value* id = message.if_contains("id"); id && !id->is_null())
    responses_[id_key(*id)] = std::move(message);
}

void Client::dispatch_legacy(json::object& message, std::optional<long long>* job_event) {
  const json::value* msg_value = message.if_contains("msg");
  if (!msg_value || !msg_value->is_string()) return;
  std::string_view msg = msg_value->get_string();
  const json::value* id = message.if_contains("id");
  if (msg == "connected") {
    connected_ = true;
  } else if (msg == "failed") {
    connect_failure_ = "Unsupported protocol version";
  } else if (msg == "pong" && id) {
    pongs_[id_key(*id)] = true;
  } else if (msg == "result" && id) {
    std::string key = id_key(*id);
    if (pending_subs_.count(key) && message.contains("error")) {
      const json::value& error = message.at("error");
      const json::value* reason = error.is_object() ? error.get_object().if_contains("reason") : nullptr;
      sub_replies_[key] = reason && python_truthy(*reason) ? python_print_form(*reason) : python_dumps(error);
    } else {
      responses_[key] = std::move(message);
    }
  } else if (msg == "added" || msg == "changed" || msg == "removed") {
    auto job = jobs_.observe(message);
    if (job_event) *job_event = job;
    if (subscription_active_) events_.push_back(std::move(message));
  } else if (msg == "ready") {
    if (const json::value* subs = message.if_contains("subs"); subs && subs->is_array())
      for (const auto& sub : subs->get_array())
        if (pending_subs_.count(id_key(sub))) sub_replies_[id_key(sub)] = std::nullopt;
  } else if (msg == "nosub" && subscription_active_) {
    SubscriptionEnded end;
    if (const json::value* error = message.if_contains("error"); error && error->is_object()) {
      const json::value* reason = error->get_object().if_contains("reason");
      const json::value* errnum = error->get_object().if_contains("error");
      if (reason && python_truthy(*reason))
        end.error = python_print_form(*reason);
      else if (errnum && python_truthy(*errnum))
        end.error = python_print_form(*errnum);
    }
    ended_ = std::move(end);
  }
}

std::string Client::send_request(std::string_view method, const json::array& params) {
  std::string id = mw::util::uuid4();
  json::object request;
  if (legacy_) {
    request["msg"] = "method";
    request["method"] = method;
    request["id"] = id;
    request["params"] = params;
  } else {
    request["jsonrpc"] = "2.0";
    request["method"] = method;
    request["id"] = id;
    request["params"] = params;
  }
  try {
    transport_->send(wire_dumps(request));
  } catch (const ConnectionClosed&) {
    throw ClientError("Unexpected closure of remote connection", std::nullopt, nullptr, ECONNABORTED);
  }
  return id;
}

json::value Client::take_response(const std::string& id) {
  auto node = responses_.extract(id);
  json::object& message = node.mapped();
  if (legacy_) {
    json::value result = message.contains("result") ? message["result"] : json::value(nullptr);
    if (const json::value* error = message.if_contains("error")) {
      const json::value* errnum = error->is_object() ? error->get_object().if_contains("error") : nullptr;
      if (errnum && python_truthy(*errnum)) throw error_from_legacy(*error);
    }
    return result;
  }
  if (const json::value* error = message.if_contains("error")) throw error_from_jsonrpc(*error);
  return message.contains("result") ? message["result"] : json::value(nullptr);
}

void Client::handshake(Clock::time_point deadline, bool watch_jobs) {
  if (legacy_) {
    json::object connect{
        {"msg", "connect"}, {"version", "1"}, {"support", json::array{"1"}}, {"features", json::array{}}};
    try {
      transport_->send(wire_dumps(connect));
    } catch (const ConnectionClosed& closed) {
      throw_closed(closed);
    }
    while (!connected_ && !connect_failure_) {
      if (!pump(deadline)) throw ClientError("Failed connection handshake");
    }
    if (connect_failure_) throw ClientError(*connect_failure_);
    return;
  }
  std::string options_id = send_request(
      "core.set_options",
      json::array{json::object{{"legacy_jobs", false}, {"private_methods", false}, {"py_exceptions", false}}});
  std::optional<std::string> jobs_id;
  if (watch_jobs) jobs_id = send_request("core.subscribe", json::array{"core.get_jobs"});
  while (!responses_.count(options_id)) {
    if (!pump(deadline)) throw ClientError("Failed connection handshake");
  }
  try {
    json::value options = take_response(options_id);
    const json::value* legacy_jobs = options.is_object() ? options.get_object().if_contains("legacy_jobs") : nullptr;
    new_style_jobs_ = legacy_jobs && legacy_jobs->is_bool() && !legacy_jobs->get_bool();
  } catch (const ClientError&) {
    new_style_jobs_ = false;  // the Python client logs this and carries on with legacy-style jobs
  }
  if (jobs_id) {
    auto sub_deadline = Clock::now() + kSubscribeTimeout;
    while (!responses_.count(*jobs_id)) {
      if (!pump(sub_deadline)) return;
    }
    try {
      take_response(*jobs_id);
      watching_jobs_ = true;
    } catch (const ClientError&) {
      watching_jobs_ = false;
    }
  }
}

void Client::watch_jobs() {
  if (watching_jobs_) return;
  if (legacy_) {
    std::string error;
    watching_jobs_ = legacy_subscribe("core.get_jobs", kSubscribeTimeout, &error);
    return;
  }
  if (!new_style_jobs_) return;
  try {
    call_value("core.subscribe", json::array{"core.get_jobs"}, kSubscribeTimeout);
    watching_jobs_ = true;
  } catch (const ClientError&) {
  }
}

CallOutcome Client::call(std::string_view method, json::array params, std::optional<Seconds> timeout) {
  std::string id = send_request(method, params);
  auto deadline = deadline_after(timeout);
  bool job_aware = !legacy_ && new_style_jobs_ && watching_jobs_;
  while (true) {
    if (responses_.count(id)) return CallOutcome{CallOutcome::Kind::Result, take_response(id)};
    if (job_aware) {
      if (auto job = jobs_.job_for_request(id)) return CallOutcome{CallOutcome::Kind::JobStarted, *job};
    }
    if (!pump(deadline)) throw ClientError("Call timeout", std::nullopt, nullptr, ETIMEDOUT);
  }
}

json::value Client::call_value(std::string_view method, json::array params, std::optional<Seconds> timeout) {
  return call(method, std::move(params), timeout).value;
}

json::value Client::wait_job(long long job_id, const std::function<void(const json::object&)>& on_update) {
  while (!jobs_.finished(job_id)) {
    std::optional<long long> job_event;
    pump(std::nullopt, &job_event);
    if (job_event == job_id && on_update) on_update(*jobs_.job(job_id));
  }
  const json::object& job = *jobs_.job(job_id);
  if (has_string(job, "state", "SUCCESS")) {
    const json::value* result = job.if_contains("result");
    return result ? *result : json::value(nullptr);
  }
  throw error_from_job(job, json::value(job_id));
}

bool Client::legacy_subscribe(std::string_view name, Seconds timeout, std::string* error) {
  std::string id = mw::util::uuid4();
  // A refusal comes as a {"msg":"result"} error carrying the subscription id.
  pending_subs_.insert(id);
  json::object sub{{"msg", "sub"}, {"id", id}, {"name", name}};
  try {
    transport_->send(wire_dumps(sub));
  } catch (const ConnectionClosed& closed) {
    throw_closed(closed);
  }
  auto deadline = Clock::now() + timeout;
  while (!sub_replies_.count(id)) {
    if (!pump(deadline)) {
      *error = "Did not receive a response to the subscription request";
      return false;
    }
  }
  if (sub_replies_[id]) {
    *error = *sub_replies_[id];
    return false;
  }
  return true;
}

void Client::subscribe(std::string_view name, Seconds timeout) {
  subscription_active_ = true;
  if (legacy_) {
    std::string error;
    if (!legacy_subscribe(name, timeout, &error)) throw ClientError(error);
    return;
  }
  call_value("core.subscribe", json::array{name}, timeout);
}

std::optional<json::object> Client::next_event(std::optional<Clock::time_point> deadline) {
  while (true) {
    if (!events_.empty()) {
      json::object event = std::move(events_.front());
      events_.pop_front();
      return event;
    }
    if (ended_) throw *ended_;
    if (!pump(deadline)) return std::nullopt;
  }
}

std::optional<json::value> Client::ping(Seconds timeout) {
  if (!legacy_) {
    try {
      return call_value("core.ping", {}, timeout);
    } catch (const ClientError& e) {
      if (e.error() == "Call timeout") return std::nullopt;
      throw;
    }
  }
  std::string id = mw::util::uuid4();
  try {
    transport_->send(wire_dumps(json::object{{"msg", "ping"}, {"id", id}}));
  } catch (const ConnectionClosed& closed) {
    throw_closed(closed);
  }
  auto deadline = Clock::now() + timeout;
  while (!pongs_.count(id)) {
    if (!pump(deadline)) return std::nullopt;
  }
  return json::value("pong");
}

void Client::close() {
  try {
    transport_->close();
  } catch (const std::exception&) {
    // Closing is a courtesy; the process is about to exit anyway.
  }
}

}  // namespace midclt
