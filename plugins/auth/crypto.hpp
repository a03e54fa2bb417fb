#pragma once
// Authentication's names for the shared primitives (mw_util), so the plugin can use them
// unqualified: hashes, HMAC and PBKDF2, randomness, base64 and hex.
#include <mw/util/base64.hpp>
#include <mw/util/crypto.hpp>
#include <mw/util/random.hpp>

namespace mw::plugins::auth {

using util::base64_decode;
using util::base64_encode;
using util::constant_time_equal;
using util::digest;
using util::digest_size;
using util::HashAlg;
using util::hex_encode;
using util::hmac;
using util::pbkdf2;
using util::random_alnum;
using util::random_bytes;
using util::random_url_token;
using util::xor_bytes;

}  // namespace mw::plugins::auth
