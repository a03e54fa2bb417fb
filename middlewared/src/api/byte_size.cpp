#include <middlewared/byte_size.hpp>

#include <charconv>

namespace mw {

std::optional<std::size_t> parse_byte_size(std::string_view text) {
  if (text.empty()) return std::nullopt;
  std::size_t unit = 1;
  switch (text.back()) {
    case 'K':
    case 'k':
      unit = std::size_t{1} << 10;
      break;
    case 'M':
    case 'm':
      unit = std::size_t{1} << 20;
      break;
    case 'G':
    case 'g':
      unit = std::size_t{1} << 30;
      break;
    default:
      break;
  }
  if (unit != 1) text.remove_suffix(1);
  std::size_t n = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
  if (ec != std::errc() || end != text.data() + text.size() || n == 0) return std::nullopt;
  std::size_t bytes = 0;
  if (__builtin_mul_overflow(n, unit, &bytes)) return std::nullopt;
  return bytes;
}

}  // namespace mw
