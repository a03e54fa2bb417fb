// Benchmarks of the daemon core (issue 2), run on demand; results go to docs/BENCHMARKS.md.
//  1. core.ping round trip through the daemon vs a bare Beast WebSocket echo server built here,
//     same machine, same run, one connection, sequential calls: both latencies and the ratio.
//  2. Throughput with 1, 8 and 64 connections, each keeping 10 calls in flight: calls/s, p99.
//  3. Whole-process time of `midclt call core.ping` (median) and the daemon's idle RSS.
#include <sys/wait.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <deque>
#include <fstream>
#include <iostream>
#include <thread>
#include <vector>

#include <boost/asio/local/stream_protocol.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>

#include "bench_util.hpp"
#include "support/daemon_process.hpp"
#include "support/run_command.hpp"

namespace net = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using local = net::local::stream_protocol;
using Clock = std::chrono::steady_clock;

using mw::bench::percentile;
using mw::bench::rss_kib;

namespace {

// The baseline: a WebSocket server that answers each text message with the same canned reply,
// with none of the daemon's work (no parsing, dispatch or thread handoff).
class EchoServer {
 public:
  explicit EchoServer(std::string path) : path_(std::move(path)) {
    ::unlink(path_.c_str());
    acceptor_.open(local());
    acceptor_.bind(local::endpoint(path_));
    acceptor_.listen();
    thread_ = std::thread([this] { serve(); });
  }
  ~EchoServer() {
    io_.stop();
    thread_.join();
    ::unlink(path_.c_str());
  }
  const std::string& path() const { return path_; }

 private:
  void serve() {
    accept();
    io_.run();
  }
  void accept() {
    acceptor_.async_accept([this](beast::error_code ec, local::socket s) {
      if (!ec) std::thread([s = std::move(s)]() mutable { session(std::move(s)); }).detach();
      accept();
    });
  }
  static void session(local::socket s) {
    try {
      websocket::stream<local::socket> ws(std::move(s));
      ws.accept();
      beast::flat_buffer buf;
      const std::string reply = R"({"jsonrpc":"2.0","result":"pong","id":1})";
      for (;;) {
        ws.read(buf);
        buf.consume(buf.size());
        ws.text(true);
        ws.write(net::buffer(reply));
      }
    } catch (...) {
    }
  }
  std::string path_;
  net::io_context io_;
  local::acceptor acceptor_{io_};
  std::thread thread_;
};

struct Connection {
  net::io_context io;
  websocket::stream<local::socket> ws{io};
  beast::flat_buffer buf;
  explicit Connection(const std::string& path) {
    ws.next_layer().connect(local::endpoint(path));
    ws.handshake("localhost", "/api/current");
    ws.text(true);
  }
  void send(const std::string& m) { ws.write(net::buffer(m)); }
  void receive() {
    ws.read(buf);
    buf.consume(buf.size());
  }
};

const std::string kPing = R"({"jsonrpc":"2.0","id":1,"method":"core.ping","params":[]})";


// Sequential round trips on one connection; returns per-call latencies in microseconds.
std::vector<double> sequential(const std::string& path, int calls) {
  Connection c(path);
  for (int i = 0; i < 200; ++i) {  // warm-up
    c.send(kPing);
    c.receive();
  }
  std::vector<double> out;
  out.reserve(calls);
  for (int i = 0; i < calls; ++i) {
    auto t0 = Clock::now();
    c.send(kPing);
    c.receive();
    out.push_back(std::chrono::duration<double, std::micro>(Clock::now() - t0).count());
  }
  return out;
}

struct Throughput {
  double calls_per_s;
  double p99_us;
};

// `conns` connections, each with `depth` calls in flight, for `seconds`.
Throughput pipelined(const std::string& path, int conns, int depth, double seconds) {
  std::atomic<bool> stop{false};
  std::vector<std::vector<double>> lat(conns);
  std::vector<long> done(conns, 0);
  std::vector<std::thread> threads;
  for (int t = 0; t < conns; ++t) {
    threads.emplace_back([&, t] {
      Connection c(path);
      std::deque<Clock::time_point> sent;
      for (int i = 0; i < depth; ++i) {
        sent.push_back(Clock::now());
        c.send(kPing);
      }
      while (!stop) {
        c.receive();
        lat[t].push_back(std::chrono::duration<double, std::micro>(Clock::now() - sent.front()).count());
        sent.pop_front();
        ++done[t];
        sent.push_back(Clock::now());
        c.send(kPing);
      }
      while (!sent.empty()) {
        c.receive();
        sent.pop_front();
      }
    });
  }
  auto t0 = Clock::now();
  std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
  stop = true;
  for (auto& th : threads) th.join();
  double elapsed = std::chrono::duration<double>(Clock::now() - t0).count();
  std::vector<double> all;
  long total = 0;
  for (int t = 0; t < conns; ++t) {
    all.insert(all.end(), lat[t].begin(), lat[t].end());
    total += done[t];
  }
  return {total / elapsed, percentile(all, 0.99)};
}


}  // namespace

int main() {
  mw::test::DaemonProcess daemon({.extra_args = {"--log-level", "warn"}});
  EchoServer echo("/tmp/mw-bench-echo.sock");
  const std::string daemon_path = daemon.socket_path().string();
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  long idle_rss = rss_kib(daemon.pid());

  const int n = 20000;
  auto base = sequential(echo.path(), n);
  auto ours = sequential(daemon_path, n);
  double base_p50 = percentile(base, 0.5), ours_p50 = percentile(ours, 0.5);
  std::cout << "## core.ping round trip, one connection, " << n << " sequential calls (unix socket)\n";
  std::cout << "bare Beast echo: p50 " << base_p50 << " us, p99 " << percentile(base, 0.99) << " us\n";
  std::cout << "middlewared:     p50 " << ours_p50 << " us, p99 " << percentile(ours, 0.99) << " us\n";
  std::cout << "ratio (p50): " << ours_p50 / base_p50 << "\n\n";

  std::cout << "## throughput, 10 calls in flight per connection, 3 s each\n";
  for (int conns : {1, 8, 64}) {
    auto b = pipelined(echo.path(), conns, 10, 3);
    auto d = pipelined(daemon_path, conns, 10, 3);
    std::cout << conns << " connections: middlewared " << static_cast<long>(d.calls_per_s) << " calls/s (p99 "
              << d.p99_us << " us); echo " << static_cast<long>(b.calls_per_s) << " calls/s (p99 " << b.p99_us
              << " us); ratio " << b.calls_per_s / d.calls_per_s << "\n";
  }

  std::cout << "\n## midclt call core.ping, whole process, 200 runs\n";
  std::vector<double> runs;
  for (int i = 0; i < 200; ++i) {
    auto t0 = Clock::now();
    auto r = mw::test::run_command({mw::test::midclt_path().string(), "-u", "ws+unix://" + daemon_path, "call", "core.ping"});
    runs.push_back(std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
    if (r.exit_code != 0) {
      std::cout << "midclt failed: " << r.err << "\n";
      break;
    }
  }
  // The same harness (fork, pipes, wait) around /bin/true: what starting any process costs here.
  std::vector<double> baseline;
  for (int i = 0; i < 200; ++i) {
    auto t0 = Clock::now();
    mw::test::run_command({"/bin/true"});
    baseline.push_back(std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
  }
  std::cout << "median " << percentile(runs, 0.5) << " ms, p90 " << percentile(runs, 0.9) << " ms; /bin/true through the "
            << "same harness: median " << percentile(baseline, 0.5) << " ms (midclt's own share: "
            << percentile(runs, 0.5) - percentile(baseline, 0.5) << " ms)\n";
  std::cout << "\n## daemon idle RSS: " << idle_rss / 1024.0 << " MiB (after the run: " << rss_kib(daemon.pid()) / 1024.0
            << " MiB)\n";
  return 0;
}
