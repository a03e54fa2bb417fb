#pragma once
// Sizes in configuration values, as an administrator writes them ("10M").
#include <cstddef>
#include <optional>
#include <string_view>

namespace mw {

// "10M", "512K", "1G", "4096" -> bytes (K, M, G are powers of 1024); nullopt when malformed, zero
// or beyond what a size_t holds.
std::optional<std::size_t> parse_byte_size(std::string_view text);

}  // namespace mw
