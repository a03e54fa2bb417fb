#pragma once
// The logins of `midclt -U/-P/-K`. Each throws LoginError with the
// text midclt shows after "Failed to login: ".
#include <optional>
#include <stdexcept>
#include <string>

#include "midclt/client.hpp"

namespace midclt {

struct LoginError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

enum class ApiKeyMechanism { Scram, Plain };

// auth.login_ex PASSWORD_PLAIN; auth.login when the server does not know login_ex (and always
// on the legacy protocol).
void login_with_password(Client& client, const std::string& username, const std::string& password,
                         std::optional<Seconds> timeout);

// API key login: SCRAM-SHA-512 by default (needs a username), API_KEY_PLAIN with --plain,
// auth.login_with_api_key on the legacy protocol.
void login_with_api_key(Client& client, const std::optional<std::string>& username, const std::string& key_argument,
                        ApiKeyMechanism mechanism, std::optional<Seconds> timeout);

}  // namespace midclt
