#pragma once
// What a login stands on, kept for the tokens it makes: the account (by name and uid) and, for
// an API-key login, the key as it was (its StoredKey: a reset key has another). A token is
// honoured only while all of that still stands (AuthState::source_stands), so deleting the
// account, or deleting, resetting, revoking or letting the key expire, ends its tokens too.
#include <cstdint>
#include <optional>
#include <string>

namespace mw::plugins::auth {

struct LoginSource {
  std::string username;
  std::optional<uint32_t> uid;
  std::optional<int64_t> api_key_id;
  std::string api_key_stored_key;
};

}  // namespace mw::plugins::auth
