#include "auth/session_book.hpp"

namespace mw::plugins::auth {

void SessionBook::record_login(const std::string& session_id, const std::string& login_id,
                               json::object credentials_data, LoginSource source, const Alive& alive) {
  std::lock_guard lock(mutex_);
  prune(alive);
  logins_[session_id] = LoginRecord{login_id, std::move(credentials_data), std::move(source)};
}

std::optional<json::object> SessionBook::credentials_data(const std::string& session_id,
                                                          const std::string& login_id) const {
  std::lock_guard lock(mutex_);
  auto it = logins_.find(session_id);
  if (it == logins_.end() || it->second.login_id != login_id) return std::nullopt;
  return it->second.credentials_data;
}

std::optional<LoginSource> SessionBook::source(const std::string& session_id, const std::string& login_id) const {
  std::lock_guard lock(mutex_);
  auto it = logins_.find(session_id);
  if (it == logins_.end() || it->second.login_id != login_id) return std::nullopt;
  return it->second.source;
}

void SessionBook::forget(const std::string& session_id) {
  std::lock_guard lock(mutex_);
  logins_.erase(session_id);
  scram_.erase(session_id);
}

void SessionBook::start_scram(const std::string& session_id, PendingScram pending, const Alive& alive) {
  std::lock_guard lock(mutex_);
  prune(alive);
  scram_[session_id] = std::move(pending);
}

std::optional<PendingScram> SessionBook::take_scram(const std::string& session_id) {
  std::lock_guard lock(mutex_);
  auto it = scram_.find(session_id);
  if (it == scram_.end()) return std::nullopt;
  PendingScram p = std::move(it->second);
  scram_.erase(it);
  return p;
}

void SessionBook::drop_scram(const std::string& session_id) {
  std::lock_guard lock(mutex_);
  scram_.erase(session_id);
}

void SessionBook::prune(const Alive& alive) {
  std::erase_if(logins_, [&](const auto& kv) { return !alive(kv.first); });
  std::erase_if(scram_, [&](const auto& kv) { return !alive(kv.first); });
}

}  // namespace mw::plugins::auth
