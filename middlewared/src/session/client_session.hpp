#pragma once
// One client connection as the core sees it, whatever carries its frames: who it is (credentials,
// options), what it listens to (subscriptions), and how many calls it may have under way (call
// slots). The dispatcher and the event hub talk only to this class; the server derives its
// WebSocket session from it and supplies the transport (send, close, and whether the calling
// thread is the one that reads this connection).
//
// This package sits below server/, rpc/ and events/ and depends on none of them, so the core has
// no cycle: server -> rpc -> jobs -> events -> session.
#include <atomic>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include <middlewared/session.hpp>

#include "session/streamed_answer.hpp"
#include "session/wire_format.hpp"

namespace mw::session {

// Who may subscribe to what: the event hub answers. Throws CallError: EINVAL for an unknown event,
// EACCES when the caller may not subscribe.
class SubscriptionPolicy {
 public:
  virtual ~SubscriptionPolicy() = default;
  virtual void check_subscribe(const std::string& name, const Credentials* caller) const = 0;
};

class ClientSession : public Session, public std::enable_shared_from_this<ClientSession> {
 public:
  // `max_subscriptions` caps core.subscribe / legacy `sub` per connection ([limits]).
  ClientSession(PeerInfo peer, const SubscriptionPolicy& policy, WireFormat format = WireFormat::JsonRpc,
                std::size_t max_subscriptions = kDefaultMaxSubscriptions);
  ~ClientSession() override;

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

  // --- transport (supplied by the server) ---
  // Queues one text frame; thread-safe. Returns false when the connection is gone or its queue
  // overflowed (the connection is then closed).
  virtual bool send(std::shared_ptr<const std::string> frame) = 0;
  // Queues one message that is written as it is sent (StreamedAnswer); thread-safe. A transport
  // that cannot send a message in parts sends it whole.
  virtual bool send_stream(std::shared_ptr<StreamedAnswer> answer) {
    return send(std::make_shared<const std::string>(answer->whole()));
  }
  virtual void close(int code, std::string reason) = 0;

  // The wire format this connection speaks, fixed by the endpoint it connected to.
  WireFormat wire_format() const { return format_; }
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
  std::size_t subscription_count() const;

  // Per-connection call slots: at most `kMaxRunning` calls run on the worker pool at once, at
  // most `kMaxInFlight` are running or waiting. try_admit() fails when the in-flight cap is
  // reached. A call that runs to completion where its frame was read takes no running slot: it
  // ends with finish_inline_call().
  static constexpr int kMaxRunning = 10;
  static constexpr int kMaxInFlight = 20;
  bool try_admit();
  // Runs `task` now if a running slot is free, else when one frees up. `task` must call
  // finish_call() when done.
  void run_when_slot_free(std::function<void()> task);
  void finish_call();
  void finish_inline_call();

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
  const SubscriptionPolicy& policy_;
  WireFormat format_;
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

}  // namespace mw::session
