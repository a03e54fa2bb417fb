#include "load_threads.hpp"

#include <pthread.h>
#include <sys/mman.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <exception>
#include <functional>
#include <thread>
#include <vector>

namespace mw::vm {

void advise_huge_pages(void* data, std::size_t bytes) {
  constexpr std::uintptr_t kHuge = std::uintptr_t{2} << 20;
  const auto begin = (reinterpret_cast<std::uintptr_t>(data) + kHuge - 1) & ~(kHuge - 1);
  const auto end = (reinterpret_cast<std::uintptr_t>(data) + bytes) & ~(kHuge - 1);
  if (begin < end) ::madvise(reinterpret_cast<void*>(begin), end - begin, MADV_HUGEPAGE);
}

namespace {

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

}  // namespace

void run_beside(const std::function<void()>& here, const std::function<void()>& beside, std::size_t heap_bytes) {
  std::exception_ptr failed;
  std::thread helper([&] {
    pthread_setname_np(pthread_self(), "mw-load");  // named, like every thread of the daemon
    try {
      reserve_heap(heap_bytes);
      beside();
    } catch (...) {
      failed = std::current_exception();
    }
  });
  try {
    here();
  } catch (...) {
    helper.join();
    throw;
  }
  helper.join();
  if (failed) std::rethrow_exception(failed);
}

}  // namespace mw::vm
