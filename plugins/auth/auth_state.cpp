#include "auth/auth_state.hpp"

#include <chrono>

#include "auth/account.hpp"
#include "auth/crypto.hpp"

namespace mw::plugins::auth {

bool AuthState::source_stands(const LoginSource& source) const {
  auto account = find_account(source.username);
  if (!account || (source.uid && account->uid != *source.uid)) return false;
  if (!source.api_key_id) return true;
  auto key = keys->find(*source.api_key_id);
  return key && !key->revoked && !key->expired(now_ms()) &&
         constant_time_equal(key->secrets.stored_key, source.api_key_stored_key);
}

json::object date_value(int64_t ms) { return {{"$date", ms}}; }

}  // namespace mw::plugins::auth
