#include <mw/util/ready_text.hpp>

#include <cstdlib>
#include <cstring>
#include <limits>
#include <new>
#include <stdexcept>

namespace mw::util {

ReadyText::~ReadyText() { std::free(const_cast<char*>(block_.load(std::memory_order_relaxed))); }

std::string_view ReadyText::view(const char* block) {
  std::uint32_t size = 0;
  std::memcpy(&size, block, sizeof size);
  return {block + sizeof size, size};
}

// Written into a buffer the thread keeps, then copied once at its exact size: growing the text's
// own allocation would allocate and copy it once per doubling.
std::string& ReadyText::scratch() {
  thread_local std::string buffer;
  return buffer;
}

std::string_view ReadyText::publish(std::string_view text) const {
  if (text.size() > std::numeric_limits<std::uint32_t>::max()) throw std::length_error("ReadyText: text too long");
  const auto size = static_cast<std::uint32_t>(text.size());
  auto* block = static_cast<char*>(std::malloc(sizeof size + text.size()));
  if (!block) throw std::bad_alloc();
  std::memcpy(block, &size, sizeof size);
  std::memcpy(block + sizeof size, text.data(), text.size());
  const char* expected = nullptr;
  if (block_.compare_exchange_strong(expected, block, std::memory_order_acq_rel, std::memory_order_acquire))
    return view(block);
  std::free(block);  // another reader built it meanwhile: the same bytes, kept first
  return view(expected);
}

}  // namespace mw::util
