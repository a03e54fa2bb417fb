#pragma once
// Start-up's load of a large catalog uses both cores: reading the two tables, then building the
// rows, each split over the loading thread and one helper (docs/THREADS.md, "catalog load helper").
#include <cstddef>
#include <functional>

namespace mw::vm {

// Below this many VMs a second thread costs more than it saves.
inline constexpr std::size_t kParallelLoadFrom = 2048;

// Runs `beside` on a new thread while the calling thread runs `here`, and returns once both have
// finished; then rethrows what either threw (the calling thread's first). The helper takes no
// lock of its own. It first reserves `heap_bytes` of its malloc heap at once, in huge pages: about
// what `beside` will allocate (see load_threads.cpp).
void run_beside(const std::function<void()>& here, const std::function<void()>& beside, std::size_t heap_bytes);

// Asks for transparent huge pages in the 2 MiB-aligned part of [data, data + bytes): memory
// filled once at start-up and given back whole (an mmap of its own), faulted in 2 MiB at a time
// instead of 4 KiB. The system may refuse (transparent huge pages off): nothing changes then.
void advise_huge_pages(void* data, std::size_t bytes);

}  // namespace mw::vm
