#pragma once
// The process_* series every Prometheus client library exports about its own process, so the
// stock dashboards and alerts (memory, CPU, file descriptors, restarts) work on middlewared too.
#include <optional>
#include <string>
#include <vector>

#include "metrics/exposition.hpp"

namespace mw::metrics {

struct ProcessFigures {
  double cpu_seconds = 0;  // utime + stime
  double resident_bytes = 0;
  double virtual_bytes = 0;
  double start_time_seconds = 0;  // since the epoch
  double open_fds = 0;
  double max_fds = 0;  // the soft RLIMIT_NOFILE
};

// Parses the text of /proc/<pid>/stat; `boot_time` is /proc/stat's btime, `ticks` sysconf(_SC_CLK_TCK),
// `page_size` sysconf(_SC_PAGESIZE). Fills cpu, resident, virtual and start time; nullopt if malformed.
std::optional<ProcessFigures> parse_proc_stat(const std::string& stat, double boot_time, double ticks,
                                              double page_size);

// The figures of the calling process now (all fields); nullopt when /proc cannot be read.
std::optional<ProcessFigures> read_self_figures();

// The six process_* families, with the names and help of the Prometheus client libraries.
void append_process_families(const ProcessFigures& figures, std::vector<Family>& out);

}  // namespace mw::metrics
