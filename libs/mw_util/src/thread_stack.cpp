#include "mw/util/thread_stack.hpp"

#include <pthread.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>

namespace mw::util {

// noinline: `here` must lie in this function's own frame, below its caller's. The page under this
// frame stays, for the frames of the madvise call itself.
[[gnu::noinline]] void release_unused_stack() {
  pthread_attr_t attr;
  if (pthread_getattr_np(pthread_self(), &attr) != 0) return;
  void* low = nullptr;
  std::size_t size = 0;
  const int rc = pthread_attr_getstack(&attr, &low, &size);
  pthread_attr_destroy(&attr);
  if (rc != 0) return;
  const auto page = static_cast<std::uintptr_t>(sysconf(_SC_PAGESIZE));
  volatile char here = 0;
  const std::uintptr_t begin = (reinterpret_cast<std::uintptr_t>(low) + page - 1) & ~(page - 1);
  const std::uintptr_t frame = reinterpret_cast<std::uintptr_t>(&here) & ~(page - 1);
  if (frame < begin + 2 * page) return;
  const std::uintptr_t end = frame - page;
  ::madvise(reinterpret_cast<void*>(begin), end - begin, MADV_DONTNEED);
}

}  // namespace mw::util
