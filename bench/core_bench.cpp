// Benchmarks of the daemon core, run on demand; results go to docs/BENCHMARKS.md.
//  1. core.ping round trip through the daemon vs a bare Beast WebSocket echo server built here,
//     same machine, same run, one connection, sequential calls: both latencies and the ratio.
//     A second echo, asynchronous on one io_context thread like the daemon's I/O, is measured
//     beside it. The three alternate in rounds; each round's median is printed too, because
//     where the scheduler puts the threads moves these figures more than anything else.
//  Flags: --ping (only part 1), --daemon-pings N (only N daemon pings, for perf; prints its pid),
//  --daemon-throughput N (only the daemon's throughput with N connections for 5 s, for perf).
//  MW_BENCH_CONFIG: extra daemon configuration text, to compare settings.
//  MW_BENCH_BASELINE: the path of another daemon binary (an earlier build) measured beside this
//  build's in the same rounds, for before/after ratios taken in one run.
//  2. Throughput with 1, 8 and 64 connections, each keeping 10 calls in flight: calls/s, p99.
//  3. Whole-process time of `midclt call core.ping` (median) and the daemon's idle RSS.
#include <sys/wait.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <deque>
#include <fstream>
#include <iostream>
#include <optional>
#include <thread>
#include <vector>

#include <boost/asio/local/stream_protocol.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>

#include "bench_util.hpp"
#include "echo_server.hpp"
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

// Opens `acceptor` on a fresh unix socket at `path`.
void listen_at(local::acceptor& acceptor, const std::string& path) {
  ::unlink(path.c_str());
  acceptor.open(local());
  acceptor.bind(local::endpoint(path));
  acceptor.listen();
}

// The baseline (bench/echo_server.hpp) answers each text message with this canned reply, with none
// of the daemon's work (no parsing, dispatch or thread handoff).
constexpr const char* kCannedPong = R"({"jsonrpc":"2.0","result":"pong","id":1})";

// The same echo written the way the daemon does its I/O: one thread runs an io_context, the
// session reads and writes asynchronously (epoll), as in Beast's websocket_server_async example.
class AsyncEchoServer {
 public:
  explicit AsyncEchoServer(std::string path) : path_(std::move(path)) {
    listen_at(acceptor_, path_);
    accept();
    thread_ = std::thread([this] { io_.run(); });
  }
  ~AsyncEchoServer() {
    io_.stop();
    thread_.join();
    ::unlink(path_.c_str());
  }
  const std::string& path() const { return path_; }

 private:
  class Session : public std::enable_shared_from_this<Session> {
   public:
    explicit Session(local::socket s) : ws_(std::move(s)) {}
    void start() {
      ws_.async_accept([self = shared_from_this()](beast::error_code ec) {
        if (!ec) self->read();
      });
    }

   private:
    void read() {
      ws_.async_read(buf_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
        if (ec) return;
        self->buf_.consume(self->buf_.size());
        self->ws_.text(true);
        self->ws_.async_write(net::buffer(kReply), [self](beast::error_code ec, std::size_t) {
          if (!ec) self->read();
        });
      });
    }
    static constexpr std::string_view kReply = kCannedPong;
    websocket::stream<local::socket> ws_;
    beast::flat_buffer buf_;
  };
  void accept() {
    acceptor_.async_accept([this](beast::error_code ec, local::socket s) {
      if (!ec) std::make_shared<Session>(std::move(s))->start();
      accept();
    });
  }
  std::string path_;
  net::io_context io_{1};
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

// Sequential round trips on one connection: one call, wait for its answer, next call.
class PingLoop {
 public:
  explicit PingLoop(const std::string& path) : c_(path) {
    for (int i = 0; i < 200; ++i) once();  // warm-up
  }
  // Appends the latency of each of `calls` round trips, in microseconds, to `out`.
  void run(int calls, std::vector<double>& out) {
    for (int i = 0; i < calls; ++i) {
      auto t0 = Clock::now();
      once();
      out.push_back(std::chrono::duration<double, std::micro>(Clock::now() - t0).count());
    }
  }

 private:
  void once() {
    c_.send(kPing);
    c_.receive();
  }
  Connection c_;
};

std::vector<double> sequential(const std::string& path, int calls) {
  PingLoop loop(path);
  std::vector<double> out;
  out.reserve(calls);
  loop.run(calls, out);
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

int main(int argc, char** argv) {
  const std::string_view flag = argc > 1 ? argv[1] : "";
  const char* config = std::getenv("MW_BENCH_CONFIG");
  mw::test::DaemonProcess daemon({.extra_args = {"--log-level", "warn"},
                                  .config_text = config ? config : "",
                                  .check_results = false});  // as shipped
  if (flag == "--daemon-pings" && argc == 3) {
    std::cout << "daemon pid " << daemon.pid() << std::endl;  // for perf record -p
    auto ours = sequential(daemon.socket_path().string(), std::stoi(argv[2]));
    std::cout << "middlewared: p50 " << percentile(ours, 0.5) << " us, p99 " << percentile(ours, 0.99) << " us\n";
    return 0;
  }
  if (flag == "--daemon-throughput" && argc == 3) {
    std::cout << "daemon pid " << daemon.pid() << std::endl;
    auto d = pipelined(daemon.socket_path().string(), std::stoi(argv[2]), 10, 5);
    std::cout << "middlewared: " << static_cast<long>(d.calls_per_s) << " calls/s (p99 " << d.p99_us << " us)\n";
    return 0;
  }
  const char* baseline_binary = std::getenv("MW_BENCH_BASELINE");
  std::optional<mw::test::DaemonProcess> baseline_daemon;
  if (baseline_binary && *baseline_binary)
    baseline_daemon.emplace(mw::test::DaemonOptions{.extra_args = {"--log-level", "warn"},
                                                    .config_text = config ? config : "",
                                                    .binary = baseline_binary,
                                                    .check_results = false});
  mw::bench::BytesEchoServer echo("/tmp/mw-bench-echo.sock", kCannedPong);
  AsyncEchoServer async_echo("/tmp/mw-bench-async-echo.sock");
  const std::string daemon_path = daemon.socket_path().string();
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  long idle_rss = rss_kib(daemon.pid());

  // The three alternate in rounds of 1000 calls, so drift in the machine's speed during the run
  // (other guests, thread placement) falls on all alike.
  const int n = 20000, round = 1000;
  struct Series {
    const char* name;
    std::unique_ptr<PingLoop> loop;
    std::vector<double> all, round_p50;
  };
  std::vector<Series> series;
  series.push_back({"bare Beast echo (blocking)", std::make_unique<PingLoop>(echo.path()), {}, {}});
  series.push_back({"async Beast echo (io_context)", std::make_unique<PingLoop>(async_echo.path()), {}, {}});
  series.push_back({"middlewared", std::make_unique<PingLoop>(daemon_path), {}, {}});
  if (baseline_daemon)
    series.push_back({"middlewared (MW_BENCH_BASELINE)",
                      std::make_unique<PingLoop>(baseline_daemon->socket_path().string()),
                      {},
                      {}});
  for (int done = 0; done < n; done += round) {
    for (auto& s : series) {
      std::vector<double> one;
      s.loop->run(round, one);
      s.round_p50.push_back(percentile(one, 0.5));
      s.all.insert(s.all.end(), one.begin(), one.end());
    }
  }
  std::cout << "## core.ping round trip, one connection, " << n << " sequential calls each, alternating rounds of "
            << round << " (unix socket)\n";
  const double ours_p50 = percentile(series[2].all, 0.5);
  for (auto& s : series) {
    std::cout << s.name << ": p50 " << percentile(s.all, 0.5) << " us, p99 " << percentile(s.all, 0.99) << " us";
    if (&s != &series[2]) std::cout << "; middlewared / this (p50): " << ours_p50 / percentile(s.all, 0.5);
    if (baseline_daemon && &s != &series[3])
      std::cout << "; baseline / this (p50): " << percentile(series[3].all, 0.5) / percentile(s.all, 0.5);
    std::cout << "\n  round p50s:";
    for (double v : s.round_p50) std::cout << ' ' << static_cast<int>(v + 0.5);
    std::cout << "\n";
  }
  std::cout << "\n";

  if (flag == "--ping") return 0;
  std::cout << "## throughput, 10 calls in flight per connection, 3 s each\n";
  for (int conns : {1, 8, 64}) {
    auto b = pipelined(echo.path(), conns, 10, 3);
    auto d = pipelined(daemon_path, conns, 10, 3);
    std::cout << conns << " connections: middlewared " << static_cast<long>(d.calls_per_s) << " calls/s (p99 "
              << d.p99_us << " us); echo " << static_cast<long>(b.calls_per_s) << " calls/s (p99 " << b.p99_us
              << " us); ratio " << b.calls_per_s / d.calls_per_s << " (middlewared / echo "
              << d.calls_per_s / b.calls_per_s << ")";
    if (baseline_daemon) {
      auto o = pipelined(baseline_daemon->socket_path().string(), conns, 10, 3);
      std::cout << "; baseline " << static_cast<long>(o.calls_per_s) << " calls/s (p99 " << o.p99_us
                << " us), baseline / echo " << o.calls_per_s / b.calls_per_s;
    }
    std::cout << "\n";
  }

  std::cout << "\n## midclt call core.ping, whole process, 200 runs\n";
  std::vector<double> runs;
  for (int i = 0; i < 200; ++i) {
    auto t0 = Clock::now();
    auto r = mw::test::run_command(
        {mw::test::midclt_path().string(), "-u", "ws+unix://" + daemon_path, "call", "core.ping"});
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
  std::cout << "median " << percentile(runs, 0.5) << " ms, p90 " << percentile(runs, 0.9)
            << " ms; /bin/true through the "
            << "same harness: median " << percentile(baseline, 0.5)
            << " ms (midclt's own share: " << percentile(runs, 0.5) - percentile(baseline, 0.5) << " ms)\n";
  std::cout << "\n## daemon idle RSS: " << idle_rss / 1024.0
            << " MiB (after the run: " << rss_kib(daemon.pid()) / 1024.0 << " MiB)\n";
  return 0;
}
