#pragma once
// The few cryptographic primitives authentication needs (OpenSSL underneath): digests, HMAC,
// PBKDF2, randomness, base64 and constant-time comparison. Byte strings are std::string.
#include <cstddef>
#include <string>
#include <string_view>

namespace mw::plugins::auth {

enum class HashAlg { Sha1, Sha256, Sha512 };

std::size_t digest_size(HashAlg alg);
std::string digest(HashAlg alg, std::string_view data);
std::string hmac(HashAlg alg, std::string_view key, std::string_view data);
// PBKDF2 with HMAC-<alg>; the output is digest_size(alg) bytes long (what SCRAM calls Hi()).
std::string pbkdf2(HashAlg alg, std::string_view password, std::string_view salt, int iterations);

// Cryptographically strong random bytes; throws std::runtime_error when the RNG fails.
std::string random_bytes(std::size_t n);
// `n` characters from [A-Za-z0-9], unbiased.
std::string random_alnum(std::size_t n);
// base64url without padding of `n_bytes` random bytes (48 bytes -> 64 characters).
std::string random_url_token(std::size_t n_bytes);
// A random (version 4) UUID in its canonical text form.
std::string random_uuid();

std::string base64_encode(std::string_view bytes);
// Strict standard base64 (padding required, no whitespace); false on malformed input.
bool base64_decode(std::string_view text, std::string& out);
std::string hex_encode(std::string_view bytes);

// Compares without an early exit, so timing does not reveal where two secrets differ.
bool constant_time_equal(std::string_view a, std::string_view b);
std::string xor_bytes(std::string_view a, std::string_view b);

}  // namespace mw::plugins::auth
