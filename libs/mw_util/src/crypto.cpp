#include "mw/util/crypto.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <stdexcept>

namespace mw::util {
namespace {

const EVP_MD* md_of(HashAlg alg) {
  switch (alg) {
    case HashAlg::Sha1:
      return EVP_sha1();
    case HashAlg::Sha256:
      return EVP_sha256();
    case HashAlg::Sha512:
      return EVP_sha512();
  }
  throw std::logic_error("unknown hash algorithm");
}

const unsigned char* bytes_of(std::string_view s) { return reinterpret_cast<const unsigned char*>(s.data()); }

}  // namespace

std::size_t digest_size(HashAlg alg) { return static_cast<std::size_t>(EVP_MD_get_size(md_of(alg))); }

std::string digest(HashAlg alg, std::string_view data) {
  std::string out(EVP_MAX_MD_SIZE, '\0');
  unsigned int len = 0;
  if (EVP_Digest(data.data(), data.size(), reinterpret_cast<unsigned char*>(out.data()), &len, md_of(alg), nullptr) !=
      1)
    throw std::runtime_error("digest failed");
  out.resize(len);
  return out;
}

std::string hmac(HashAlg alg, std::string_view key, std::string_view data) {
  std::string out(EVP_MAX_MD_SIZE, '\0');
  unsigned int len = 0;
  if (HMAC(md_of(alg), key.data(), static_cast<int>(key.size()), bytes_of(data), data.size(),
           reinterpret_cast<unsigned char*>(out.data()), &len) == nullptr)
    throw std::runtime_error("HMAC failed");
  out.resize(len);
  return out;
}

std::string pbkdf2(HashAlg alg, std::string_view password, std::string_view salt, int iterations) {
  if (iterations < 1) throw std::invalid_argument("PBKDF2 needs at least one iteration");
  std::string out(digest_size(alg), '\0');
  if (PKCS5_PBKDF2_HMAC(password.data(), static_cast<int>(password.size()), bytes_of(salt),
                        static_cast<int>(salt.size()), iterations, md_of(alg), static_cast<int>(out.size()),
                        reinterpret_cast<unsigned char*>(out.data())) != 1)
    throw std::runtime_error("PBKDF2 failed");
  return out;
}

bool constant_time_equal(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

std::string xor_bytes(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) throw std::invalid_argument("xor of byte strings of different length");
  std::string out(a.size(), '\0');
  for (std::size_t i = 0; i < a.size(); ++i) out[i] = static_cast<char>(a[i] ^ b[i]);
  return out;
}

}  // namespace mw::util
