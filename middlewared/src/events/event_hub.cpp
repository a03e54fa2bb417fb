#include "events/event_hub.hpp"

#include <algorithm>

#include <middlewared/errors.hpp>

#include "rpc/wire_protocol.hpp"
#include "session/client_session.hpp"

namespace mw::events {

const char* event_kind_name(EventKind kind) { return rpc::event_msg(kind); }

void EventHub::add_source(EventSpec spec) {
  std::lock_guard lock(mutex_);
  std::string name = spec.name;
  sources_.insert_or_assign(std::move(name), std::move(spec));
}

std::vector<EventSpec> EventHub::sources() const {
  std::lock_guard lock(mutex_);
  std::vector<EventSpec> out;
  for (const auto& [name, spec] : sources_) out.push_back(spec);
  return out;
}

void EventHub::attach(const std::shared_ptr<session::ClientSession>& connection) {
  std::lock_guard lock(mutex_);
  // Drop entries of connections that are gone while we are here anyway.
  std::erase_if(connections_, [](const auto& w) { return w.expired(); });
  connections_.push_back(connection);
}

void EventHub::detach(const session::ClientSession* connection) {
  std::lock_guard lock(mutex_);
  std::erase_if(connections_, [&](const auto& w) {
    auto c = w.lock();
    return !c || c.get() == connection;
  });
}

std::size_t EventHub::connection_count() const {
  std::lock_guard lock(mutex_);
  return connections_.size();
}

std::vector<std::shared_ptr<Session>> EventHub::sessions() const {
  std::lock_guard lock(mutex_);
  std::vector<std::shared_ptr<Session>> out;
  for (const auto& w : connections_)
    if (auto c = w.lock()) out.push_back(std::move(c));
  return out;
}

std::shared_ptr<Session> EventHub::find_session(const std::string& id) const {
  std::lock_guard lock(mutex_);
  for (const auto& w : connections_)
    if (auto c = w.lock(); c && c->id() == id) return c;
  return nullptr;
}

void EventHub::check_subscribe(const std::string& name, const Credentials* caller) const {
  if (!caller) throw CallError("Not authenticated", ENOTAUTHENTICATED);
  if (name == "*") {
    if (!caller->full_admin()) throw CallError("Not authorized", EACCES);
    return;
  }
  // Dynamic sources carry arguments after a colon: `name:{"json":"args"}`.
  std::string_view base = name;
  if (auto colon = base.find(':'); colon != std::string_view::npos) base = base.substr(0, colon);
  std::lock_guard lock(mutex_);
  auto it = sources_.find(base);
  if (it == sources_.end()) throw CallError("Event " + std::string(base) + " does not exist", EINVAL);
  if (!caller->has_any_role(it->second.roles)) throw CallError("Not authorized", EACCES);
}

// The frames of one event, encoded on first need: [wire format][redacted].
struct EventHub::Frames {
  std::string_view collection;
  EventKind kind;
  const json::value& id;
  const std::optional<json::value>& fields;
  const std::optional<json::value>& redacted_fields;
  std::shared_ptr<const std::string> encoded[rpc::kWireFormatCount][2];

  const std::shared_ptr<const std::string>& get(rpc::WireFormat format, bool redacted) {
    if (!redacted_fields) redacted = false;
    auto& slot = encoded[static_cast<int>(format)][redacted ? 1 : 0];
    if (!slot)
      slot = std::make_shared<const std::string>(
          rpc::wire_protocol(format).event(collection, kind, id, redacted ? redacted_fields : fields));
    return slot;
  }
};

template <class Visible>
void EventHub::deliver(Frames& frames, const std::vector<std::string>* unredacted_roles, Visible&& visible) {
  std::vector<std::shared_ptr<session::ClientSession>> targets;
  {
    std::lock_guard lock(mutex_);
    targets.reserve(connections_.size());
    for (const auto& w : connections_)
      if (auto c = w.lock()) targets.push_back(std::move(c));
  }
  for (const auto& c : targets) {
    if (!c->subscribed_to(frames.collection)) continue;
    auto creds = c->credentials();
    if (!creds || !visible(*creds)) continue;
    bool sees_secrets = !unredacted_roles || creds->has_any_role(*unredacted_roles);
    c->send(frames.get(c->wire_format(), !sees_secrets));
  }
}

bool EventHub::has_subscribers(std::string_view collection) const {
  std::vector<std::shared_ptr<session::ClientSession>> live;
  {
    std::lock_guard lock(mutex_);
    for (const auto& w : connections_)
      if (auto c = w.lock()) live.push_back(std::move(c));
  }
  for (const auto& c : live)
    if (c->subscribed_to(collection)) return true;
  return false;
}

void EventHub::publish(std::string_view collection, EventKind kind, json::value id, std::optional<json::value> fields,
                       std::optional<json::value> redacted_fields) {
  std::vector<std::string> read_roles, unredacted;
  {
    std::lock_guard lock(mutex_);
    if (auto it = sources_.find(collection); it != sources_.end()) {
      read_roles = it->second.roles;
      unredacted = it->second.unredacted_roles;
    }
  }
  Frames frames{collection, kind, id, fields, redacted_fields, {}};
  deliver(frames, (redacted_fields && !unredacted.empty()) ? &unredacted : nullptr,
          [&](const Credentials& c) { return c.has_any_role(read_roles); });
}

void EventHub::publish_job(EventKind kind, int job_id, json::value fields, const std::string& owner) {
  json::value id(job_id);
  std::optional<json::value> all(std::move(fields)), none;
  Frames frames{"core.get_jobs", kind, id, all, none, {}};
  deliver(frames, nullptr, [&](const Credentials& c) { return c.full_admin() || c.username == owner; });
}

}  // namespace mw::events
