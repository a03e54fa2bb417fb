#include "auth/crypto.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include <array>
#include <stdexcept>

namespace mw::plugins::auth {
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

constexpr std::string_view kB64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

int b64_value(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+') return 62;
  if (c == '/') return 63;
  return -1;
}

}  // namespace

std::size_t digest_size(HashAlg alg) { return static_cast<std::size_t>(EVP_MD_get_size(md_of(alg))); }

std::string digest(HashAlg alg, std::string_view data) {
  std::string out(EVP_MAX_MD_SIZE, '\0');
  unsigned int len = 0;
  if (EVP_Digest(data.data(), data.size(), reinterpret_cast<unsigned char*>(out.data()), &len, md_of(alg), nullptr) != 1)
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

std::string random_bytes(std::size_t n) {
  std::string out(n, '\0');
  if (n > 0 && RAND_bytes(reinterpret_cast<unsigned char*>(out.data()), static_cast<int>(n)) != 1)
    throw std::runtime_error("random number generator failed");
  return out;
}

std::string random_alnum(std::size_t n) {
  static constexpr std::string_view kAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  // 62 * 4 = 248: bytes at or above 248 are rejected so every character is equally likely.
  std::string out;
  out.reserve(n);
  while (out.size() < n) {
    for (unsigned char b : random_bytes(n)) {
      if (b >= 248) continue;
      out.push_back(kAlphabet[b % 62]);
      if (out.size() == n) break;
    }
  }
  return out;
}

std::string random_url_token(std::size_t n_bytes) {
  std::string b64 = base64_encode(random_bytes(n_bytes));
  std::string out;
  out.reserve(b64.size());
  for (char c : b64) {
    if (c == '=') continue;
    out.push_back(c == '+' ? '-' : c == '/' ? '_' : c);
  }
  return out;
}

std::string random_uuid() {
  std::string b = random_bytes(16);
  b[6] = static_cast<char>((b[6] & 0x0f) | 0x40);
  b[8] = static_cast<char>((b[8] & 0x3f) | 0x80);
  std::string hex = hex_encode(b);
  return hex.substr(0, 8) + "-" + hex.substr(8, 4) + "-" + hex.substr(12, 4) + "-" + hex.substr(16, 4) + "-" +
         hex.substr(20);
}

std::string base64_encode(std::string_view bytes) {
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  std::size_t i = 0;
  for (; i + 3 <= bytes.size(); i += 3) {
    uint32_t v = (uint8_t(bytes[i]) << 16) | (uint8_t(bytes[i + 1]) << 8) | uint8_t(bytes[i + 2]);
    out.push_back(kB64[(v >> 18) & 63]);
    out.push_back(kB64[(v >> 12) & 63]);
    out.push_back(kB64[(v >> 6) & 63]);
    out.push_back(kB64[v & 63]);
  }
  std::size_t rest = bytes.size() - i;
  if (rest == 1) {
    uint32_t v = uint8_t(bytes[i]) << 16;
    out.push_back(kB64[(v >> 18) & 63]);
    out.push_back(kB64[(v >> 12) & 63]);
    out += "==";
  } else if (rest == 2) {
    uint32_t v = (uint8_t(bytes[i]) << 16) | (uint8_t(bytes[i + 1]) << 8);
    out.push_back(kB64[(v >> 18) & 63]);
    out.push_back(kB64[(v >> 12) & 63]);
    out.push_back(kB64[(v >> 6) & 63]);
    out.push_back('=');
  }
  return out;
}

bool base64_decode(std::string_view text, std::string& out) {
  out.clear();
  if (text.size() % 4 != 0) return false;
  out.reserve(text.size() / 4 * 3);
  for (std::size_t i = 0; i < text.size(); i += 4) {
    bool last = i + 4 == text.size();
    int pad = 0;
    if (last) {
      if (text[i + 3] == '=') pad = text[i + 2] == '=' ? 2 : 1;
    }
    std::array<int, 4> v{};
    for (int k = 0; k < 4 - pad; ++k) {
      v[k] = b64_value(text[i + k]);
      if (v[k] < 0) return false;
    }
    uint32_t n = (uint32_t(v[0]) << 18) | (uint32_t(v[1]) << 12) | (uint32_t(v[2]) << 6) | uint32_t(v[3]);
    out.push_back(static_cast<char>((n >> 16) & 0xff));
    if (pad < 2) out.push_back(static_cast<char>((n >> 8) & 0xff));
    if (pad < 1) out.push_back(static_cast<char>(n & 0xff));
    // Canonical form only: the bits a padded quantum leaves over must be zero.
    if (pad == 2 && (v[1] & 0x0f) != 0) return false;
    if (pad == 1 && (v[2] & 0x03) != 0) return false;
  }
  return true;
}

std::string hex_encode(std::string_view bytes) {
  static constexpr std::string_view kHex = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (unsigned char c : bytes) {
    out.push_back(kHex[c >> 4]);
    out.push_back(kHex[c & 15]);
  }
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

}  // namespace mw::plugins::auth
