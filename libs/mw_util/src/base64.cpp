#include "mw/util/base64.hpp"

#include <array>
#include <cstdint>

namespace mw::util {
namespace {

constexpr std::string_view kB64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
constexpr std::string_view kB64Url = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

int b64_value(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+') return 62;
  if (c == '/') return 63;
  return -1;
}

std::string encode(std::string_view bytes, std::string_view alphabet, bool pad) {
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  for (std::size_t i = 0; i < bytes.size(); i += 3) {
    const std::size_t n = bytes.size() - i < 3 ? bytes.size() - i : 3;
    std::uint32_t v = std::uint32_t(std::uint8_t(bytes[i])) << 16;
    if (n > 1) v |= std::uint32_t(std::uint8_t(bytes[i + 1])) << 8;
    if (n > 2) v |= std::uint8_t(bytes[i + 2]);
    for (std::size_t k = 0; k <= n; ++k) out.push_back(alphabet[(v >> (18 - 6 * k)) & 63]);
    if (pad) out.append(3 - n, '=');
  }
  return out;
}

}  // namespace

std::string base64_encode(std::string_view bytes) { return encode(bytes, kB64, true); }

std::string base64url_encode(std::string_view bytes) { return encode(bytes, kB64Url, false); }

bool base64_decode(std::string_view text, std::string& out) {
  out.clear();
  if (text.size() % 4 != 0) return false;
  out.reserve(text.size() / 4 * 3);
  for (std::size_t i = 0; i < text.size(); i += 4) {
    const bool last = i + 4 == text.size();
    int pad = 0;
    if (last && text[i + 3] == '=') pad = text[i + 2] == '=' ? 2 : 1;
    std::array<int, 4> v{};
    for (int k = 0; k < 4 - pad; ++k) {
      v[k] = b64_value(text[i + k]);
      if (v[k] < 0) return false;
    }
    const std::uint32_t n =
        (std::uint32_t(v[0]) << 18) | (std::uint32_t(v[1]) << 12) | (std::uint32_t(v[2]) << 6) | std::uint32_t(v[3]);
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

}  // namespace mw::util
