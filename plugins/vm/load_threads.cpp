#include "load_threads.hpp"

#include <pthread.h>

#include <cstddef>
#include <cstdlib>
#include <exception>
#include <functional>
#include <thread>
#include <vector>

namespace mw::vm {
namespace {

// glibc gives a thread other than the main one a heap of its own (an arena) and grows it by just
// what each allocation lacks, one page at a time: one mprotect call, and a change to the
// process's memory map, per 4 KiB. Building half of 10 000 VMs' rows made 3 700 of them. Blocks
// allocated and freed here make the heap's writable part large enough at once; once freed, their
// pages are given back (glibc trims a heap's free top) but stay writable, so the allocations
// that follow take them without a system call. Each block is below the daemon's mmap threshold
// (tune_allocator, middlewared/src/app/main.cpp), so it comes from the heap and not from an mmap
// of its own. Where that threshold is not set (unit tests, which load in-process), a block is an
// mmap of its own, unmapped when freed, and nothing is gained. No transparent huge pages are asked
// for: faulting one in may make the kernel compact memory first, which stalled one start-up in
// three by 50-110 ms here (docs/BENCHMARKS.md, "Start-up without huge pages").
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
