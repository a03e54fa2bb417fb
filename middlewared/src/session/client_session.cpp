#include "session/client_session.hpp"

#include <chrono>

#include <middlewared/errors.hpp>

#include <mw/util/random.hpp>
#include <mw/util/time.hpp>

namespace mw::session {

ClientSession::ClientSession(PeerInfo peer, const SubscriptionPolicy& policy, WireFormat format,
                             std::size_t max_subscriptions)
    : id_(util::uuid4()),
      peer_(std::move(peer)),
      created_at_ms_(util::now_ms()),
      policy_(policy),
      format_(format),
      max_subscriptions_(max_subscriptions) {}

ClientSession::~ClientSession() = default;

std::shared_ptr<const Credentials> ClientSession::credentials() const {
  std::lock_guard lock(mutex_);
  return credentials_;
}

void ClientSession::set_credentials(std::shared_ptr<const Credentials> credentials) {
  std::lock_guard lock(mutex_);
  credentials_ = std::move(credentials);
  if (!credentials_) subscriptions_.clear();  // logging out drops event subscriptions
}

json::object ClientSession::set_options(const json::object& options) {
  std::lock_guard lock(mutex_);
  auto apply = [&](const char* key, bool& field) {
    if (auto* v = options.if_contains(key); v && v->is_bool()) field = v->get_bool();
  };
  apply("legacy_jobs", legacy_jobs_);
  apply("private_methods", private_methods_);
  apply("py_exceptions", py_exceptions_);  // accepted and ignored: no Python pickles
  return {{"legacy_jobs", legacy_jobs_}, {"private_methods", private_methods_}, {"py_exceptions", py_exceptions_}};
}

bool ClientSession::legacy_jobs() const {
  if (format_ == WireFormat::Legacy) return true;  // the legacy protocol always answers job ids
  std::lock_guard lock(mutex_);
  return legacy_jobs_;
}

std::string ClientSession::subscribe(const std::string& event_name) {
  std::string sub_id = util::uuid4();
  subscribe_with_id(sub_id, event_name);
  return sub_id;
}

void ClientSession::subscribe_with_id(const std::string& subscription_id, const std::string& event_name) {
  policy_.check_subscribe(event_name, credentials().get());  // throws when unknown or not allowed
  std::lock_guard lock(mutex_);
  // Re-using an id replaces that subscription, so it never counts twice.
  if (!subscriptions_.contains(subscription_id) && subscriptions_.size() >= max_subscriptions_)
    throw CallError(
        "Too many event subscriptions on this connection (limit " + std::to_string(max_subscriptions_) + ")",
        ETOOMANYREFS);
  subscriptions_.insert_or_assign(subscription_id, event_name);
}

void ClientSession::unsubscribe(const std::string& subscription_id) {
  std::lock_guard lock(mutex_);
  subscriptions_.erase(subscription_id);
}

bool ClientSession::subscribed_to(std::string_view collection) const {
  std::lock_guard lock(mutex_);
  for (const auto& [id, name] : subscriptions_)
    if (name == "*" || name == collection) return true;
  return false;
}

void ClientSession::clear_subscriptions() {
  std::lock_guard lock(mutex_);
  subscriptions_.clear();
}

std::size_t ClientSession::subscription_count() const {
  std::lock_guard lock(mutex_);
  return subscriptions_.size();
}

bool ClientSession::try_admit() {
  std::lock_guard lock(slots_mutex_);
  if (in_flight_ >= kMaxInFlight) return false;
  ++in_flight_;
  return true;
}

void ClientSession::run_when_slot_free(std::function<void()> task) {
  {
    std::lock_guard lock(slots_mutex_);
    if (running_ >= kMaxRunning) {
      waiting_.push_back(std::move(task));
      return;
    }
    ++running_;
  }
  task();
}

void ClientSession::finish_call() {
  std::function<void()> next;
  {
    std::lock_guard lock(slots_mutex_);
    --in_flight_;
    if (!waiting_.empty()) {
      next = std::move(waiting_.front());
      waiting_.pop_front();
    } else {
      --running_;
    }
  }
  if (next) next();
}

void ClientSession::finish_inline_call() {
  std::lock_guard lock(slots_mutex_);
  --in_flight_;
}

}  // namespace mw::session
