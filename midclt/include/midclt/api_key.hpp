#pragma once
// The forms `midclt -K` accepts: a raw key "<id>-<key>", a file holding one, a
// JSON file {"raw_key": ...} or precomputed {client_key, stored_key, server_key, api_key_id},
// or an INI file whose [TRUENAS_API_KEY] section holds the same fields.
#include <stdexcept>
#include <string>
#include <string_view>
#include <variant>

#include <mw/util/scram.hpp>

namespace midclt {

struct RawApiKey {
  std::string raw;  // "<id>-<secret>", what API_KEY_PLAIN sends
  long long id = 0;
  std::string secret;  // the part after the dash: the SCRAM password
};

struct PrecomputedApiKey {
  mw::util::scram::ClientKeys keys;
  long long id = 0;
};

using ApiKeyMaterial = std::variant<RawApiKey, PrecomputedApiKey>;

struct ApiKeyError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Key text (already read from a file when it was one); throws ApiKeyError.
ApiKeyMaterial parse_api_key_text(std::string_view text);

// The -K argument: an absolute path (or an existing file) is read, anything else is key text.
ApiKeyMaterial load_api_key(const std::string& argument);

}  // namespace midclt
