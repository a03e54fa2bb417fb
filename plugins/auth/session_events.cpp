#include "auth/session_events.hpp"

#include <vector>

#include <boost/asio/post.hpp>

namespace mw::plugins::auth {

SessionEvents::SessionEvents(EventBus& events, SessionRegistry& registry, boost::asio::any_io_executor executor)
    : events_(events), registry_(registry), timer_(std::move(executor)) {}

void SessionEvents::logged_in(const std::string& session_id, json::object fields) {
  {
    std::lock_guard lock(mutex_);
    if (stopped_ || !announced_.insert(session_id).second) return;
  }
  // TrueNAS's ADDED carries the session id in `fields` only.
  events_.publish(kSessionsEvent, EventKind::Added, nullptr, json::value(std::move(fields)));
  arm();
}

void SessionEvents::ended(const std::string& session_id) {
  {
    std::lock_guard lock(mutex_);
    if (announced_.erase(session_id) == 0) return;
  }
  events_.publish(kSessionsEvent, EventKind::Removed, json::string(session_id));
}

std::size_t SessionEvents::sweep() {
  std::vector<std::string> announced, gone;
  {
    std::lock_guard lock(mutex_);
    announced.assign(announced_.begin(), announced_.end());
  }
  // The registry's lock is of the same level as ours (docs/THREADS.md): never both at once.
  for (const auto& id : announced) {
    auto s = registry_.find_session(id);
    if (!s || !s->credentials()) gone.push_back(id);
  }
  for (const auto& id : gone) ended(id);
  return gone.size();
}

void SessionEvents::arm() {
  std::lock_guard lock(mutex_);
  if (armed_ || stopped_ || announced_.empty()) return;
  armed_ = true;
  // The timer is only touched on its executor: arming from a worker thread posts there.
  boost::asio::post(timer_.get_executor(), [weak = weak_from_this()] {
    auto self = weak.lock();
    if (!self) return;
    self->timer_.expires_after(std::chrono::seconds(1));
    self->timer_.async_wait([weak](const boost::system::error_code& ec) {
      auto self = weak.lock();
      if (!self || ec) return;
      self->sweep();
      {
        std::lock_guard lock(self->mutex_);
        self->armed_ = false;
      }
      self->arm();
    });
  });
}

void SessionEvents::stop() {
  {
    std::lock_guard lock(mutex_);
    stopped_ = true;
  }
  boost::asio::post(timer_.get_executor(), [weak = weak_from_this()] {
    if (auto self = weak.lock()) self->timer_.cancel();
  });
}

}  // namespace mw::plugins::auth
