#pragma once
// The auth.sessions event, as TrueNAS sends it: ADDED (the session's auth.sessions entry without
// `current` and `internal`) when a connection logs in, REMOVED when that login ends: logout,
// termination, or the connection closing (noticed by a sweep once a second while any announced
// session lives). Internal sessions (root on the unix socket) are never announced.
#include <functional>
#include <memory>
#include <mutex>
#include <set>
#include <string>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/steady_timer.hpp>

#include <middlewared/events.hpp>
#include <middlewared/session.hpp>

namespace mw::plugins::auth {

inline constexpr const char* kSessionsEvent = "auth.sessions";

class SessionEvents : public std::enable_shared_from_this<SessionEvents> {
 public:
  SessionEvents(EventBus& events, SessionRegistry& registry, boost::asio::any_io_executor executor);

  // A login on `session_id` (fields: its entry). Announced once per connection: logging in again
  // on an announced connection changes nothing, as in TrueNAS.
  void logged_in(const std::string& session_id, json::object fields);
  // The login of `session_id` ended (no-op unless announced).
  void ended(const std::string& session_id);
  // Ends the sweep (plugin stop).
  void stop();
  // REMOVED for every announced session that is gone or logged out; returns how many.
  std::size_t sweep();

 private:
  void arm();

  EventBus& events_;
  SessionRegistry& registry_;
  boost::asio::steady_timer timer_;
  std::mutex mutex_;
  std::set<std::string> announced_;  // session ids
  bool armed_ = false;
  bool stopped_ = false;
};

}  // namespace mw::plugins::auth
