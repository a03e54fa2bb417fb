#include "mw/util/random.hpp"

#include <sys/random.h>

#include <cctype>
#include <cerrno>
#include <string_view>
#include <system_error>

#include <boost/uuid/random_generator.hpp>
#include <boost/uuid/uuid_io.hpp>

#include "mw/util/base64.hpp"

namespace mw::util {

std::string random_bytes(std::size_t n) {
  std::string out(n, '\0');
  std::size_t filled = 0;
  while (filled < n) {
    const ssize_t got = getrandom(out.data() + filled, n - filled, 0);
    if (got < 0) {
      if (errno == EINTR) continue;
      throw std::system_error(errno, std::generic_category(), "getrandom");
    }
    filled += static_cast<std::size_t>(got);
  }
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

std::string random_url_token(std::size_t n_bytes) { return base64url_encode(random_bytes(n_bytes)); }

std::string uuid4() {
  // A generator per thread: boost::uuids::random_generator is not safe to share between threads.
  thread_local boost::uuids::random_generator generate;
  return boost::uuids::to_string(generate());
}

bool is_uuid(std::string_view text) {
  if (text.size() != 36) return false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash ? text[i] != '-' : !std::isxdigit(static_cast<unsigned char>(text[i]))) return false;
  }
  return true;
}

}  // namespace mw::util
