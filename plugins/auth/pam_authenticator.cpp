#include "auth/pam_authenticator.hpp"

#include <security/pam_appl.h>

#include <cstdlib>
#include <cstring>

namespace mw::plugins::auth {
namespace {

struct Conversation {
  const std::string* username;
  const std::string* password;
};

// Answers password prompts with the password and echoed prompts with the user name; PAM frees
// the responses.
int converse(int n, const pam_message** msgs, pam_response** out, void* data) {
  if (n <= 0 || n > PAM_MAX_NUM_MSG) return PAM_CONV_ERR;
  auto* conv = static_cast<Conversation*>(data);
  auto* replies = static_cast<pam_response*>(std::calloc(static_cast<std::size_t>(n), sizeof(pam_response)));
  if (replies == nullptr) return PAM_BUF_ERR;
  for (int i = 0; i < n; ++i) {
    switch (msgs[i]->msg_style) {
      case PAM_PROMPT_ECHO_OFF:
        replies[i].resp = strdup(conv->password->c_str());
        break;
      case PAM_PROMPT_ECHO_ON:
        replies[i].resp = strdup(conv->username->c_str());
        break;
      default:  // PAM_ERROR_MSG, PAM_TEXT_INFO: nothing to answer
        break;
    }
  }
  *out = replies;
  return PAM_SUCCESS;
}

// Replaces PAM's sleep after a failure: the plugin delays every failed login the same way,
// without holding the PAM lock.
void no_delay(int, unsigned, void*) {}

}  // namespace

PamResult PamAuthenticator::check_password(const std::string& username, const std::string& password) {
  std::lock_guard lock(mutex_);
  Conversation data{&username, &password};
  pam_conv conv{&converse, &data};
  pam_handle_t* handle = nullptr;
  if (pam_start(service_.c_str(), username.c_str(), &conv, &handle) != PAM_SUCCESS) return PamResult::Unavailable;
  pam_set_item(handle, PAM_FAIL_DELAY, reinterpret_cast<const void*>(&no_delay));
  pam_set_item(handle, PAM_RUSER, "middlewared");
  int rc = pam_authenticate(handle, PAM_SILENT | PAM_DISALLOW_NULL_AUTHTOK);
  if (rc == PAM_SUCCESS) rc = pam_acct_mgmt(handle, PAM_SILENT | PAM_DISALLOW_NULL_AUTHTOK);
  pam_end(handle, rc);
  switch (rc) {
    case PAM_SUCCESS:
      return PamResult::Success;
    case PAM_ACCT_EXPIRED:
    case PAM_NEW_AUTHTOK_REQD:
    case PAM_CRED_EXPIRED:
    case PAM_AUTHTOK_EXPIRED:
      return PamResult::Expired;
    case PAM_AUTH_ERR:
    case PAM_USER_UNKNOWN:
    case PAM_PERM_DENIED:
    case PAM_MAXTRIES:
    case PAM_CRED_INSUFFICIENT:
      return PamResult::AuthError;
    default:
      return PamResult::Unavailable;
  }
}

}  // namespace mw::plugins::auth
