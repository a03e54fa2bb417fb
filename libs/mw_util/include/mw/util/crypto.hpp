#pragma once
// The hash-based primitives SCRAM needs (OpenSSL's libcrypto underneath): digests, HMAC, PBKDF2
// and constant-time comparison. Byte strings are std::string.
#include <cstddef>
#include <string>
#include <string_view>

namespace mw::util {

enum class HashAlg { Sha1, Sha256, Sha512 };

std::size_t digest_size(HashAlg alg);
std::string digest(HashAlg alg, std::string_view data);
std::string hmac(HashAlg alg, std::string_view key, std::string_view data);
// PBKDF2 with HMAC-<alg>; the output is digest_size(alg) bytes long (what SCRAM calls Hi()).
std::string pbkdf2(HashAlg alg, std::string_view password, std::string_view salt, int iterations);

// Compares without an early exit, so timing does not reveal where two secrets differ.
bool constant_time_equal(std::string_view a, std::string_view b);
std::string xor_bytes(std::string_view a, std::string_view b);

}  // namespace mw::util
