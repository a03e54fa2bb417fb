#pragma once
// Password checks through PAM (service "login" unless [auth] pam_service says otherwise).
// Calls are serialised: PAM modules such as pam_unix are not reliably thread-safe. PAM's own
// failure delay (pam_faildelay) is replaced by the caller's uniform delay.
#include <mutex>
#include <string>

namespace mw::plugins::auth {

enum class PamResult { Success, AuthError, Expired, Unavailable };

class PamAuthenticator {
 public:
  explicit PamAuthenticator(std::string service) : service_(std::move(service)) {}
  // Authenticates, then checks the account (expired, locked, password change required).
  PamResult check_password(const std::string& username, const std::string& password);
  const std::string& service() const { return service_; }

 private:
  std::string service_;
  std::mutex mutex_;
};

}  // namespace mw::plugins::auth
