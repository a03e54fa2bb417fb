#include <middlewared/result_text.hpp>

#include <mw/util/huge_pages.hpp>

namespace mw {

bool ListParts::next(std::string& out, std::size_t size) {
  const std::size_t start = out.size();
  if (!opened_) {
    opened_ = true;
    out += '[';
  }
  // At least one element per part, however small the size asked.
  for (const std::size_t first = next_; next_ < count() && (next_ == first || out.size() - start < size); ++next_) {
    if (next_ > 0) out += ',';
    append(out, next_);
  }
  if (next_ < count()) return true;
  out += ']';
  return false;
}

void ResultText::reserve(std::size_t size) {
  begin();
  buffer_.reserve(start_ + size + tail_room_);
  if (buffer_.capacity() < kLargeAnswer) return;
  // Mapped on its own (tune_allocator), the block is fresh memory, written front to back once: a
  // 12 MB answer takes 3 000 page faults in 4 KiB pages. Asking for transparent huge pages (where
  // the system grants them on request) makes that a handful (docs/BENCHMARKS.md, "Large answers written in place, and
  // memory after writes").
  util::advise_huge_pages(buffer_.data(), buffer_.capacity());
}

}  // namespace mw
