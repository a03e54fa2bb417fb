#pragma once
// Asks for transparent huge pages over the whole 2 MiB pages inside a block of memory: a block
// written front to back once (a large answer) is then faulted in 2 MiB at a time instead of
// 4 KiB. A hint: where the system refuses it, or the range holds no whole huge page, nothing
// changes. Faulting a huge page in may make the kernel compact memory first; start-up's load asks
// for none for that reason (docs/BENCHMARKS.md, "Start-up without huge pages").
#include <sys/mman.h>

#include <cstddef>
#include <cstdint>

namespace mw::util {

inline void advise_huge_pages(void* data, std::size_t bytes) {
  constexpr std::uintptr_t kHugePage = std::uintptr_t{2} << 20;
  const auto start = reinterpret_cast<std::uintptr_t>(data);
  const std::uintptr_t begin = (start + kHugePage - 1) & ~(kHugePage - 1);
  const std::uintptr_t end = (start + bytes) & ~(kHugePage - 1);
  if (begin < end) ::madvise(reinterpret_cast<void*>(begin), end - begin, MADV_HUGEPAGE);
}

}  // namespace mw::util
