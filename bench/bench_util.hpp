#pragma once
// Small measuring helpers shared by the benchmarks: percentiles of samples and a process's RSS.
#include <sys/types.h>

#include <algorithm>
#include <fstream>
#include <string>
#include <vector>

namespace mw::bench {

// The p-th percentile (0..1) of `samples` (nearest rank, no interpolation).
inline double percentile(std::vector<double> samples, double p) {
  if (samples.empty()) return 0;
  std::sort(samples.begin(), samples.end());
  return samples[static_cast<std::size_t>(p * static_cast<double>(samples.size() - 1))];
}
inline double median(std::vector<double> samples) { return percentile(std::move(samples), 0.5); }

// A field of /proc/<pid>/status in KiB ("VmRSS:", "RssAnon:"), or -1.
inline long status_kib(pid_t pid, const std::string& field) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line))
    if (line.rfind(field, 0) == 0) return std::stol(line.substr(field.size()));
  return -1;
}
// Resident set size of `pid` in KiB, or -1.
inline long rss_kib(pid_t pid) { return status_kib(pid, "VmRSS:"); }
// The anonymous part of it: the process's own memory, without the code and libraries paged in from
// files (which the first calls of each kind bring in, and the system may drop and share).
inline long anon_rss_kib(pid_t pid) { return status_kib(pid, "RssAnon:"); }

}  // namespace mw::bench
