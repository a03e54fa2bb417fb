#pragma once
// Randomness for ids, tokens and nonces, straight from the kernel (getrandom), so that no program
// needs a seeded generator of its own. Each throws std::system_error when the kernel refuses.
#include <cstddef>
#include <string>
#include <string_view>

namespace mw::util {

// `n` cryptographically strong random bytes.
std::string random_bytes(std::size_t n);
// `n` characters from [A-Za-z0-9], each equally likely.
std::string random_alnum(std::size_t n);
// base64url without padding of `n_bytes` random bytes (32 bytes -> 43 characters).
std::string random_url_token(std::size_t n_bytes);
// A random (version 4) UUID in its canonical lower-case form.
std::string uuid4();
// Whether `text` is a UUID in the canonical 8-4-4-4-12 hex form (any version, either case): what
// JSON Schema's "uuid" format and a VM's uuid accept.
bool is_uuid(std::string_view text);

}  // namespace mw::util
