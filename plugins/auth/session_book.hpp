#pragma once
// What the plugin remembers per client session: how its current login was made (for
// auth.sessions `credentials_data`, and what it stands on for the tokens it makes) and a SCRAM
// exchange waiting for its final message.
// Entries of sessions that are gone are pruned whenever a new entry is written.
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include <middlewared/json.hpp>

#include "auth/login_source.hpp"
#include "auth/scram.hpp"

namespace mw::plugins::auth {

struct PendingScram {
  std::unique_ptr<scram::ServerExchange> exchange;
  std::optional<int64_t> key_id;  // nullopt: no such key; the exchange runs on only to fail
  std::string stored_key;         // the StoredKey the exchange was built with
  std::string claimed_user;       // for the audit log: the user and key the client named
  std::optional<int64_t> claimed_key_id;
};

class SessionBook {
 public:
  using Alive = std::function<bool(const std::string& session_id)>;

  void record_login(const std::string& session_id, const std::string& login_id, json::object credentials_data,
                    LoginSource source, const Alive& alive);
  // The credentials_data recorded for this session's login `login_id`, if any.
  std::optional<json::object> credentials_data(const std::string& session_id, const std::string& login_id) const;
  // What this session's login `login_id` stands on, if recorded.
  std::optional<LoginSource> source(const std::string& session_id, const std::string& login_id) const;
  void forget(const std::string& session_id);

  void start_scram(const std::string& session_id, PendingScram pending, const Alive& alive);
  std::optional<PendingScram> take_scram(const std::string& session_id);
  void drop_scram(const std::string& session_id);

 private:
  struct LoginRecord {
    std::string login_id;
    json::object credentials_data;
    LoginSource source;
  };
  void prune(const Alive& alive);

  mutable std::mutex mutex_;
  std::map<std::string, LoginRecord> logins_;
  std::map<std::string, PendingScram> scram_;
};

}  // namespace mw::plugins::auth
