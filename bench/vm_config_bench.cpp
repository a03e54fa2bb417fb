// VM configuration at scale, run on demand; results go to docs/BENCHMARKS.md.
//  1. N VMs (default 10 000) with 3 NIC devices each created through the real daemon: vm.create
//     calls/s over one connection (first tenth) and over 8 connections (the rest), and
//     vm.device.create calls/s over 8 connections. Every call is one SQLite transaction
//     (WAL, synchronous=FULL).
//  2. vm.query latency with N VMs: all rows, by name, by status.state, count (median of 9).
//  3. Daemon RSS empty and with N VMs; start-up time with N VMs against an empty database.
// Usage: vm_config_bench [vms=10000]
#include <atomic>
#include <chrono>
#include <iostream>
#include <string>
#include <thread>
#include <vector>

#include <boost/json.hpp>

#include "bench_util.hpp"
#include "support/daemon_process.hpp"
#include "support/rpc_client.hpp"

namespace json = boost::json;
using Clock = std::chrono::steady_clock;
using mw::bench::median;
using mw::bench::rss_kib;
using mw::test::DaemonProcess;
using mw::test::RpcClient;

namespace {

double seconds_since(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

// Runs `per_item(client, i)` for i in [first, last) over `connections` connections; calls/s.
template <class PerItem>
double run_parallel(const DaemonProcess& d, int connections, int first, int last, PerItem per_item) {
  std::atomic<int> next{first};
  auto t0 = Clock::now();
  std::vector<std::thread> threads;
  for (int c = 0; c < connections; ++c) {
    threads.emplace_back([&] {
      auto client = RpcClient::unix_socket(d.socket_path());
      for (int i = next++; i < last; i = next++) per_item(client, i);
    });
  }
  for (auto& t : threads) t.join();
  return (last - first) / seconds_since(t0);
}

// Median wall time of `rounds` calls of `method`, in ms.
double query_ms(RpcClient& c, const json::array& params, int rounds = 9) {
  std::vector<double> samples;
  for (int i = 0; i < rounds; ++i) {
    auto t0 = Clock::now();
    c.call("vm.query", params);
    samples.push_back(seconds_since(t0) * 1000);
  }
  return median(samples);
}

// vm.query params: filters, then options (built step by step: nested braces are ambiguous to
// Boost.JSON's initializer lists).
json::array query_params(json::array filters, json::object options = {}) {
  json::array params;
  params.emplace_back(std::move(filters));
  params.emplace_back(std::move(options));
  return params;
}
json::array equals(const char* field, json::value value) {
  json::array filter{field, "="};
  filter.push_back(std::move(value));
  json::array filters;
  filters.emplace_back(std::move(filter));
  return filters;
}

double restart_ms(DaemonProcess& d) {
  d.stop();
  auto t0 = Clock::now();
  d.restart();  // returns once the daemon answers core.ping on its socket
  return seconds_since(t0) * 1000;
}

}  // namespace

int main(int argc, char** argv) {
  const int n = argc > 1 ? std::stoi(argv[1]) : 10000;
  mw::test::DaemonOptions options;
  options.config_text = "[server]\nlog_level = warn\n";
  DaemonProcess d(options);
  const long empty_rss = rss_kib(d.pid());
  const double empty_start = restart_ms(d);

  auto create_vm = [](RpcClient& c, int i) {
    json::array params;
    params.emplace_back(json::object{{"name", "vm" + std::to_string(i)}, {"memory", 128}, {"autostart", false}});
    c.call("vm.create", std::move(params));
  };
  const int single = n / 10;
  const double one_conn = run_parallel(d, 1, 0, single, create_vm);
  const double eight_conn = run_parallel(d, 8, single, n, create_vm);
  const char* nic_types[] = {"VIRTIO", "E1000", "VIRTIO"};
  const double devices = run_parallel(d, 8, 0, 3 * n, [&](RpcClient& c, int i) {
    json::object device{{"vm", i / 3 + 1}};
    device["attributes"] = json::object{{"dtype", "NIC"}, {"type", nic_types[i % 3]}};
    json::array params;
    params.emplace_back(std::move(device));
    c.call("vm.device.create", std::move(params));
  });

  auto c = RpcClient::unix_socket(d.socket_path());
  const auto count = c.call("vm.query", query_params({}, {{"count", true}}));
  std::cout << "## " << n << " VMs with 3 NICs each (count says " << json::serialize(count) << ")\n"
            << "vm.create over 1 connection: " << one_conn << " calls/s\n"
            << "vm.create over 8 connections: " << eight_conn << " calls/s\n"
            << "vm.device.create over 8 connections: " << devices << " calls/s\n\n"
            << "## vm.query with " << n << " VMs, median of 9, ms\n"
            << "all: " << query_ms(c, query_params({})) << "\n"
            << "by name: " << query_ms(c, query_params(equals("name", json::value("vm" + std::to_string(n / 2))))) << "\n"
            << "by status.state = RUNNING: " << query_ms(c, query_params(equals("status.state", "RUNNING"))) << "\n"
            << "count: " << query_ms(c, query_params({}, {{"count", true}})) << "\n\n";
  const long full_rss = rss_kib(d.pid());
  const double full_start = restart_ms(d);
  std::cout << "## daemon\n"
            << "RSS empty: " << empty_rss / 1024.0 << " MiB; with " << n << " VMs: " << full_rss / 1024.0 << " MiB ("
            << (full_rss - empty_rss) * 1024.0 / n << " bytes per VM with its devices)\n"
            << "start-up until it answers, empty: " << empty_start << " ms; with " << n << " VMs: " << full_start
            << " ms (ratio " << full_start / empty_start << ")\n";
  return 0;
}
