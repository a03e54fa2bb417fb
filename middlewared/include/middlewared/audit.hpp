#pragma once
// An event a plugin adds to the audit log beside the calls the core records itself: login
// attempts, whose callers are not authenticated yet (the core records only authenticated calls).
#include <string>

#include <middlewared/json.hpp>
#include <middlewared/session.hpp>

namespace mw {

struct AuditEvent {
  std::string method;              // the call it happened in ("auth.login_ex")
  std::string username;            // who, as claimed when the attempt failed (the log escapes it)
  std::string credentials;         // how ("PASSWORD_PLAIN", "SCRAM", ...)
  const PeerInfo* peer = nullptr;  // nullptr: internal
  json::object params;             // what, never a secret (secret-named fields are masked again anyway)
  bool success = true;
  std::string error;  // why not, when !success
};

}  // namespace mw
