#pragma once
// The auth.me object for a set of credentials.
#include <middlewared/credentials.hpp>
#include <middlewared/json.hpp>

#include "auth/account.hpp"

namespace mw::plugins::auth {

// `attributes` are the user's stored auth.set_attribute values.
json::object user_info(const Credentials& credentials, const Account& account, json::object attributes);

}  // namespace mw::plugins::auth
