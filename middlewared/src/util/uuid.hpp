#pragma once
#include <string>

namespace mw::util {
// A random (version 4) UUID in canonical lowercase form.
std::string uuid4();
// `n` random bytes as URL-safe base64 without padding (tokens).
std::string random_token(std::size_t n);
}  // namespace mw::util
