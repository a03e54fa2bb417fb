#pragma once
// One client connection as the core sees it, independent of Beast and of the transport.
// The WebSocket session (server/websocket_session.cpp) derives from it and supplies send/close;
// the dispatcher, jobs and events only ever talk to this class.
#include <atomic>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>

#include <middlewared/session.hpp>

#include "rpc/wire_protocol.hpp"

namespace mw::events {
class EventHub;
}

namespace mw::server {

class Connection : public Session, public std::enable_shared_from_this<Connection> {
 public:
  // `max_subscriptions` caps core.subscribe / legacy `sub` per connection ([limits]).
  Connection(PeerInfo peer, events::EventHub& hub, rpc::WireFormat format = rpc::WireFormat::JsonRpc,
             std::size_t max_subscriptions = kDefaultMaxSubscriptions);
  ~Connection() override;

  // --- Session (what core plugins see) ---
  const std::string& id() const override { return id_; }
  const PeerInfo& peer() const override { return peer_; }
  std::shared_ptr<const Credentials> credentials() const override;
  json::object set_options(const json::object& options) override;
  bool legacy_jobs() const override;
  std::string subscribe(const std::string& event_name) override;
  void unsubscribe(const std::string& subscription_id) override;
  void set_credentials(std::shared_ptr<const Credentials> credentials) override;
  int64_t created_at_ms() const override { return created_at_ms_; }
  void terminate() override { close(1000, "Session terminated"); }

  // --- transport (implemented by the WebSocket session) ---
  // Queues one text frame; thread-safe. Returns false when the connection is gone or its queue
  // overflowed (the connection is then closed).
  virtual bool send(std::shared_ptr<const std::string> frame) = 0;
  virtual void close(int code, std::string reason) = 0;

  // The wire format this connection speaks, fixed by the endpoint it connected to.
  rpc::WireFormat wire_format() const { return format_; }
  const rpc::WireProtocol& protocol() const { return rpc::wire_protocol(format_); }
  // Legacy protocol: whether the client's `connect` was accepted. Only touched by the connection's
  // reader (one message at a time).
  bool handshake_done() const { return handshake_done_; }
  void set_handshake_done() { handshake_done_ = true; }

  // A subscription under the client's own id (legacy `sub`); same checks and cap as subscribe().
  void subscribe_with_id(const std::string& subscription_id, const std::string& event_name);

  static constexpr std::size_t kDefaultMaxSubscriptions = 256;

  // Subscriptions matching an event name: "*" or the exact name. Thread-safe.
  bool subscribed_to(std::string_view collection) const;
  void clear_subscriptions();
  // For GET /metrics. Thread-safe.
  std::size_t subscription_count() const {
    std::lock_guard lock(mutex_);
    return subscriptions_.size();
  }

  // Per-connection call slots: at most `kMaxRunning` calls run at once, at most
  // `kMaxInFlight` are running or waiting. try_admit() fails when the in-flight cap is reached.
  static constexpr int kMaxRunning = 10;
  static constexpr int kMaxInFlight = 20;
  bool try_admit();
  // Runs `task` now if a running slot is free, else when one frees up. `task` must call
  // finish_call() when done.
  void run_when_slot_free(std::function<void()> task);
  void finish_call();

  // Rate-limit refusals waiting for their delay (each a timer and a frame, outside the send queue):
  // at most kMaxDelayedAnswers per connection. hold_delayed_answer() is false when the cap is
  // reached. Thread-safe.
  static constexpr int kMaxDelayedAnswers = 20;
  bool hold_delayed_answer() {
    if (delayed_answers_.fetch_add(1) < kMaxDelayedAnswers) return true;
    --delayed_answers_;
    return false;
  }
  void release_delayed_answer() { --delayed_answers_; }

 private:
  std::string id_;
  PeerInfo peer_;
  int64_t created_at_ms_;
  events::EventHub& hub_;
  rpc::WireFormat format_;
  std::size_t max_subscriptions_;
  std::atomic<bool> handshake_done_ = false;
  std::atomic<int> delayed_answers_ = 0;

  mutable std::mutex mutex_;
  std::shared_ptr<const Credentials> credentials_;
  bool legacy_jobs_ = true;
  bool private_methods_ = false;
  bool py_exceptions_ = false;
  std::map<std::string, std::string> subscriptions_;  // subscription id -> event name

  std::mutex slots_mutex_;
  int in_flight_ = 0;
  int running_ = 0;
  std::deque<std::function<void()>> waiting_;
};

}  // namespace mw::server
