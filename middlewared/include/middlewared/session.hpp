#pragma once
// A client connection as the core plugins see it: per-connection options, subscriptions, login.
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <middlewared/credentials.hpp>
#include <middlewared/json.hpp>

namespace mw {

struct PeerInfo {
  enum class Transport { Unix, Tcp, Internal };
  Transport transport = Transport::Internal;
  std::string remote_address;  // TCP: peer IP; unix: empty
  uint16_t remote_port = 0;
  std::string local_address;    // the address the client connected to (TCP)
  std::optional<uint32_t> uid;  // unix socket: SO_PEERCRED uid
  std::optional<uint32_t> pid;
  bool secure = false;  // TCP through the TLS listener: secrets did not cross the wire in clear
  // TLS listener: the RFC 5929 tls-server-end-point channel binding of its certificate (the
  // certificate's hash), for SCRAM-PLUS; empty otherwise or when the certificate has none.
  std::string tls_server_end_point;
  std::string origin() const;  // "tcp:1.2.3.4:5" / "unix:pid=..,uid=.." (token origin binding)
};

class Session {
 public:
  virtual ~Session() = default;
  virtual const std::string& id() const = 0;
  virtual const PeerInfo& peer() const = 0;
  virtual std::shared_ptr<const Credentials> credentials() const = 0;

  // core.set_options: applies known keys, ignores the rest, returns the whole option object.
  virtual json::object set_options(const json::object& options) = 0;
  virtual bool legacy_jobs() const = 0;

  // core.subscribe / core.unsubscribe. subscribe throws CallError(EACCES) when not allowed.
  virtual std::string subscribe(const std::string& event_name) = 0;
  virtual void unsubscribe(const std::string& subscription_id) = 0;

  // For login methods: replaces the session's credentials (nullptr logs out).
  virtual void set_credentials(std::shared_ptr<const Credentials> credentials) = 0;

  // When the connection was accepted (ms since the epoch).
  virtual int64_t created_at_ms() const { return 0; }
  // Closes the connection (auth.terminate_session); pending calls are abandoned.
  virtual void terminate() {}
};

// Every live client connection, for auth.sessions and auth.terminate_session.
class SessionRegistry {
 public:
  virtual ~SessionRegistry() = default;
  virtual std::vector<std::shared_ptr<Session>> sessions() const = 0;
  virtual std::shared_ptr<Session> find_session(const std::string& id) const = 0;
};

}  // namespace mw
