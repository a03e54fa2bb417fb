#include "load_threads.hpp"

#include <malloc.h>
#include <pthread.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <exception>
#include <functional>
#include <thread>
#include <vector>

#include <mw/util/huge_pages.hpp>

namespace mw::vm {
namespace {

using util::advise_huge_pages;

// glibc gives a thread other than the main one a heap of its own (an arena) and grows it by just
// what each allocation lacks, one page at a time: one mprotect call, and a change to the
// process's memory map, per 4 KiB. Building half of 10 000 VMs' rows made 3 700 of them. Blocks
// allocated and freed here make the heap's writable part large enough at once; once freed, their
// pages are given back (glibc trims a heap's free top) but stay writable, so the allocations
// that follow take them without a system call. Each block is below the daemon's mmap threshold
// (tune_allocator, middlewared/src/app/main.cpp), so it comes from the heap and not from an mmap
// of its own. Where that threshold is not set (unit tests, which load in-process), a block is an
// mmap of its own, unmapped when freed: the advice below then misses, which costs nothing (it is
// a hint, on memory the process no longer holds or, at worst, that another allocation now holds).
// The reserved range is then asked for transparent huge pages: what the helper builds there is
// faulted in 2 MiB at a time, not 4 KiB (at 10 000 VMs the catalog helper's share of the build
// took 10.5-12.5 ms of thread CPU instead of 15-17). The price is the rest of the last huge page
// the helper touched, resident: about 1.8 MiB at 10 000 VMs.
void reserve_heap(std::size_t bytes) {
  constexpr std::size_t kBlock = std::size_t{1} << 20;
  std::vector<void*> blocks;
  blocks.reserve(bytes / kBlock + 1);
  for (std::size_t held = 0; held < bytes; held += kBlock) {
    void* block = std::malloc(kBlock);
    if (!block) break;
    static_cast<volatile char*>(block)[0] = 0;  // used, so the compiler keeps the malloc
    blocks.push_back(block);
  }
  for (void* block : blocks) std::free(block);
  // Advised run by run of blocks that lie one after the other: a heap holds at most 64 MiB, so a
  // larger reservation continues in another heap, and what lies between two heaps is not ours.
  std::sort(blocks.begin(), blocks.end(), std::less<>());
  auto follows = [&](std::size_t i) {  // block i starts where block i - 1 ends (a chunk header apart)
    return static_cast<char*>(blocks[i]) - static_cast<char*>(blocks[i - 1]) <=
           static_cast<std::ptrdiff_t>(kBlock + 4096);
  };
  for (std::size_t first = 0, i = 1; i <= blocks.size(); ++i)
    if (i == blocks.size() || !follows(i)) {
      advise_huge_pages(blocks[first], static_cast<char*>(blocks[i - 1]) - static_cast<char*>(blocks[first]) + kBlock);
      first = i;
    }
}

// The calling thread's heap (in the daemon glibc's main arena, grown by brk) grown at once by
// `bytes` and asked for transparent huge pages, for as long as the holder lives. Without it the
// loading thread took each new page with a fault of its own (5 800 at 10 000 VMs, against the
// helper's 600 in huge pages) and was the slower of the two. Growing it by blocks kept, as
// reserve_heap() does, would touch a page of every block before the advice, and a 2 MiB range
// with a page already in it is not given a huge page; so glibc is asked to pad its next growth by
// `bytes` (M_TOP_PAD), and blocks are taken until the heap grows: of the new range only the first
// page is touched. The freed blocks stay the heap's top while the trim threshold is raised; what
// the load leaves of that top untouched takes no memory. The price is the rest of the last huge
// page the load touched, resident (docs/BENCHMARKS.md). Where the heap
// does not grow by brk (a thread with an arena of its own, or blocks above the mmap threshold, as
// in tests that load in-process) the break does not move and nothing is advised. glibc's
// defaults, set back afterwards, are 128 KiB for both settings.
class HeapAtOnce {
 public:
  explicit HeapAtOnce(std::size_t bytes) {
    constexpr std::size_t kBlock = std::size_t{1} << 20;
    const auto pad = static_cast<int>(std::min<std::size_t>(bytes, std::size_t{1} << 30));
    mallopt(M_TRIM_THRESHOLD, pad + static_cast<int>(2 * kBlock));
    mallopt(M_TOP_PAD, pad);
    // Blocks until the heap grows: its top may have free room left by what ran before.
    char* before = static_cast<char*>(::sbrk(0));
    char* after = before;
    std::vector<void*> blocks;
    while (after == before && blocks.size() < 16) {
      before = after;
      blocks.push_back(std::malloc(kBlock));
      after = static_cast<char*>(::sbrk(0));
    }
    for (void* block : blocks) std::free(block);
    mallopt(M_TOP_PAD, kGlibcDefault);
    if (before != reinterpret_cast<char*>(-1) && after > before)
      advise_huge_pages(before, static_cast<std::size_t>(after - before));
  }
  ~HeapAtOnce() { mallopt(M_TRIM_THRESHOLD, kGlibcDefault); }
  HeapAtOnce(const HeapAtOnce&) = delete;
  HeapAtOnce& operator=(const HeapAtOnce&) = delete;

 private:
  static constexpr int kGlibcDefault = 128 * 1024;
};

}  // namespace

void run_beside(const std::function<void()>& here, const std::function<void()>& beside, std::size_t heap_bytes) {
  std::exception_ptr failed;
  // The helper's heap is reserved before the calling thread's: reserve_heap() relies on glibc
  // trimming the freed blocks, which HeapAtOnce holds off while it lives.
  std::atomic<bool> helper_heap_reserved{false};
  std::thread helper([&] {
    pthread_setname_np(pthread_self(), "mw-load");  // named, like every thread of the daemon
    try {
      reserve_heap(heap_bytes);
    } catch (...) {
      failed = std::current_exception();
    }
    helper_heap_reserved.store(true);
    helper_heap_reserved.notify_one();
    if (failed) return;
    try {
      beside();
    } catch (...) {
      failed = std::current_exception();
    }
  });
  helper_heap_reserved.wait(false);
  try {
    HeapAtOnce heap(heap_bytes);
    here();
  } catch (...) {
    helper.join();
    throw;
  }
  helper.join();
  if (failed) std::rethrow_exception(failed);
}

}  // namespace mw::vm
