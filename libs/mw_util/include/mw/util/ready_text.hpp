#pragma once
// Text derived from an immutable value, built the first time a reader needs it and then kept.
// The holder is shared by threads that never lock (the rows of a snapshot): the first reader to
// find no text builds one and publishes it with a single compare-and-swap; a reader that lost the
// race frees its copy and reads the winner's. A built text never changes, so a reader can keep the
// view for as long as it keeps the holder.
//
// It costs one pointer where a std::string costs 32 bytes: the size is stored in the block, ahead
// of the bytes, and an unbuilt text holds nothing.
#include <atomic>
#include <cstdint>
#include <string>
#include <string_view>

namespace mw::util {

class ReadyText {
 public:
  ReadyText() = default;
  ~ReadyText();
  ReadyText(const ReadyText&) = delete;
  ReadyText& operator=(const ReadyText&) = delete;

  // The text; when none is built yet, `append(std::string&)` writes it (onto an empty buffer the
  // calling thread keeps) and the first to finish is kept. `append` must write the same bytes
  // whichever thread runs it, and must not read another ReadyText (the buffer is that thread's one).
  template <class Append>
  std::string_view get(Append&& append) const {
    if (const char* block = block_.load(std::memory_order_acquire)) return view(block);
    std::string& buffer = scratch();
    buffer.clear();
    append(buffer);
    return publish(buffer);
  }

  // The text if it was built, else empty (for readers that only look ahead, e.g. to prefetch).
  std::string_view if_built() const {
    const char* block = block_.load(std::memory_order_acquire);
    return block ? view(block) : std::string_view{};
  }

 private:
  static std::string_view view(const char* block);
  static std::string& scratch();
  std::string_view publish(std::string_view text) const;

  mutable std::atomic<const char*> block_{nullptr};  // [std::uint32_t size][bytes], or none yet
};

}  // namespace mw::util
