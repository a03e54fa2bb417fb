#pragma once
// Event sources, subscriptions' permission checks and delivery.
// publish() encodes an event lazily, at most once per wire format and redaction variant, and
// queues it on every subscribed connection; a slow connection only fills its own bounded queue.
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <middlewared/credentials.hpp>
#include <middlewared/events.hpp>
#include <middlewared/session.hpp>

#include "session/client_session.hpp"

namespace mw::session {
class ClientSession;
}

namespace mw::events {

// Also the registry of live connections (auth.sessions), since it tracks them anyway.
class EventHub : public EventBus, public SessionRegistry, public session::SubscriptionPolicy {
 public:
  std::vector<std::shared_ptr<Session>> sessions() const override;
  std::shared_ptr<Session> find_session(const std::string& id) const override;

  void add_source(EventSpec spec);
  std::vector<EventSpec> sources() const;

  void attach(const std::shared_ptr<session::ClientSession>& connection);
  void detach(const session::ClientSession* connection);
  std::size_t connection_count() const;

  // Throws CallError: EINVAL for an unknown event, EACCES when the caller may not subscribe.
  void check_subscribe(const std::string& name, const Credentials* caller) const override;

  void publish(std::string_view collection, EventKind kind, json::value id,
               std::optional<json::value> fields = std::nullopt,
               std::optional<json::value> redacted_fields = std::nullopt) override;

  bool has_subscribers(std::string_view collection) const override;

  // core.get_jobs events: delivered only to full admins and to the job's owner (by username).
  void publish_job(EventKind kind, int job_id, json::value fields, const std::string& owner);

 private:
  struct Frames;
  template <class Visible>
  void deliver(Frames& frames, const std::vector<std::string>* unredacted_roles, Visible&& visible);

  mutable std::mutex mutex_;
  std::map<std::string, EventSpec, std::less<>> sources_;
  std::vector<std::weak_ptr<session::ClientSession>> connections_;
};

const char* event_kind_name(EventKind kind);

}  // namespace mw::events
