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
// lock of its own. It first reserves `heap_bytes` of its malloc heap at once: about what `beside`
// will allocate (see load_threads.cpp).
void run_beside(const std::function<void()>& here, const std::function<void()>& beside, std::size_t heap_bytes);

}  // namespace mw::vm
