// VM configuration at scale, run on demand; results go to docs/BENCHMARKS.md as ratios against
// baselines measured in the same run.
//  create: vm.create over one connection against a bare SQLite commit (WAL, synchronous=FULL, one
//     row per transaction, a file beside the daemon's state) in alternating rounds; then vm.create
//     calls/s over 8 connections against one connection, alternating; each from the test suites'
//     client and from a raw one that neither builds nor parses JSON.
//  N (a number): a fresh daemon with N VMs of 3 NICs each, then
//     - vm.query: all entries until the whole answer is received, against a bare Beast WebSocket
//       server returning the same bytes, read by Beast and read raw; by name and vm.get_instance against core.ping; by
//       status.state and count;
//     - the daemon's RSS idle, with the N VMs, and after the queries (bytes per VM above idle), right
//       away and once it has been quiet long enough to trim its heap;
//       after two or more counts, also what each VM adds from one count to the next;
//     - start-up until the daemon answers, with the N VMs against the same daemon empty.
// Usage: vm_config_bench [create] [N...]   (no argument: create 1000 10000)
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <unistd.h>

#include <SQLiteCpp/SQLiteCpp.h>

#include <boost/json.hpp>

#include "bench_util.hpp"
#include "echo_server.hpp"
#include "raw_message_reader.hpp"
#include "support/daemon_process.hpp"
#include "support/rpc_client.hpp"

namespace json = boost::json;
using Clock = std::chrono::steady_clock;
using mw::bench::anon_rss_kib;
using mw::bench::median;
using mw::bench::rss_kib;
using mw::test::DaemonProcess;
using mw::test::RpcClient;

namespace {

double seconds_since(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }
double ms_since(Clock::time_point t0) { return seconds_since(t0) * 1000; }
// Wall-clock time, to find a phase in a trace of the daemon (strace -ttt, perf script).
double epoch_seconds() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

std::string load_average() {
  std::ifstream in("/proc/loadavg");
  std::string a, b, c;
  in >> a >> b >> c;
  return a + " " + b + " " + c;
}

std::unique_ptr<DaemonProcess> fresh_daemon() {
  mw::test::DaemonOptions options;
  // At warn, as a daemon is run (info logs no line per call either); the test harness's default,
  // debug, writes a line per call to the daemon's log file.
  options.extra_args = {"--log-level", "warn"};
  options.check_results = false;                      // measured as shipped, without the test suites' result checks
  options.ready_poll = std::chrono::milliseconds(1);  // start-up is timed until it answers
  return std::make_unique<DaemonProcess>(options);
}

// Runs `per_item(client, i)` for i in [first, last) over `connections` connections of the kind
// `connect(socket)` opens; calls/s.
template <class Connect, class PerItem>
double run_parallel_on(const DaemonProcess& d, int connections, int first, int last, Connect connect,
                       PerItem per_item) {
  std::atomic<int> next{first};
  std::vector<decltype(connect(d.socket_path()))> clients;
  for (int c = 0; c < connections; ++c) clients.push_back(connect(d.socket_path()));
  auto t0 = Clock::now();
  std::vector<std::thread> threads;
  for (auto& client : clients) {
    threads.emplace_back([&] {
      for (int i = next++; i < last; i = next++) per_item(client, i);
    });
  }
  for (auto& t : threads) t.join();
  return (last - first) / seconds_since(t0);
}

// The same over the test suites' client (RpcClient: Boost.JSON requests, answers parsed).
template <class PerItem>
double run_parallel(const DaemonProcess& d, int connections, int first, int last, PerItem per_item) {
  return run_parallel_on(
      d, connections, first, last, [](const auto& socket) { return RpcClient::unix_socket(socket); }, per_item);
}

void create_vm(RpcClient& c, int i) {
  json::array params;
  params.emplace_back(json::object{{"name", "vm" + std::to_string(i)}, {"memory", 128}, {"autostart", false}});
  c.call("vm.create", std::move(params));
}

// The same call from a client that does next to nothing itself: the request written as text, the
// answer read raw and only its start looked at. RpcClient spends 30-55 us of CPU per create
// building the request and parsing the 1.2 KB answer; with one call in flight all of it is on the
// path, and over 8 connections it takes that CPU from the daemon on the same two cores.
std::unique_ptr<mw::bench::RawMessageReader> raw_client(const std::filesystem::path& socket) {
  return std::make_unique<mw::bench::RawMessageReader>(socket.string());
}
void create_vm_raw(mw::bench::RawMessageReader& c, int i) {
  static const std::string kResult = R"({"jsonrpc":"2.0","result":)";
  const std::string n = std::to_string(i);
  c.send_text(R"({"jsonrpc":"2.0","id":)" + n + R"(,"method":"vm.create","params":[{"name":"vm)" + n +
              R"(","memory":128,"autostart":false}]})");
  std::string head;
  c.receive_message(&head, kResult.size());
  if (head != kResult) throw std::runtime_error("vm.create vm" + n + " answered " + head + "...");
}

void create_nics(const DaemonProcess& d, int vms) {
  const char* nic_types[] = {"VIRTIO", "E1000", "VIRTIO"};
  run_parallel(d, 8, 0, 3 * vms, [&](RpcClient& c, int i) {
    json::object device{{"vm", i / 3 + 1}};
    device["attributes"] = json::object{{"dtype", "NIC"}, {"type", nic_types[i % 3]}};
    json::array params;
    params.emplace_back(std::move(device));
    c.call("vm.device.create", std::move(params));
  });
}

// ---- commit floor, vm.create rates (the write path) ----

// A bare SQLite database with one table shaped like a VM row, committing one row per
// transaction the way the daemon's store does (WAL, synchronous=FULL).
class CommitFloor {
 public:
  explicit CommitFloor(const std::filesystem::path& dir)
      : path_(dir / "floor.sqlite"), db_(path_.string(), SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE) {
    db_.exec("PRAGMA journal_mode = WAL");
    db_.exec("PRAGMA synchronous = FULL");
    db_.exec(
        "CREATE TABLE vm (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, description TEXT, memory INTEGER, "
        "uuid TEXT, bootloader TEXT, autostart INTEGER)");
  }
  ~CommitFloor() {
    for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path_.string() + suffix);
  }
  std::filesystem::path wal_path() const { return path_.string() + "-wal"; }
  // One committed insert.
  void commit_one() {
    SQLite::Transaction tx(db_, SQLite::TransactionBehavior::IMMEDIATE);
    SQLite::Statement st(db_,
                         "INSERT INTO vm (name, description, memory, uuid, bootloader, autostart) VALUES (?, '', 128, "
                         "'9e2d1c3a-4f5b-4c6d-8e7f-0a1b2c3d4e5f', 'UEFI', 0)");
    st.bind(1, "floor" + std::to_string(next_++));
    st.exec();
    tx.commit();
  }

 private:
  std::filesystem::path path_;
  SQLite::Database db_;
  int next_ = 0;
};

// Commits through `commit` until the WAL file at `wal` has wrapped: SQLite writes a WAL from its
// start again once a checkpoint has copied it all, so the file stops growing. Until then every
// commit extends the file, and its fsync also writes the file's new size: a bare commit takes
// 250-340 us while the WAL grows and 170-215 us once it is reused (docs/BENCHMARKS.md, "A commit
// costs more while its WAL grows"). A long-running store spends nearly all its time in the second
// state, so both sides of a ratio are measured there. Returns the commits it took.
template <class Commit>
int commit_until_wal_wraps(const std::filesystem::path& wal, Commit commit) {
  constexpr int kUnchangedFor = 100, kMostCommits = 20000;
  auto size = [&] {
    std::error_code ec;
    const auto n = std::filesystem::file_size(wal, ec);
    return ec ? std::uintmax_t{0} : n;
  };
  int commits = 0, unchanged = 0;
  for (std::uintmax_t last = size(); unchanged < kUnchangedFor && commits < kMostCommits; ++commits) {
    commit();
    const auto now = size();
    unchanged = now == last && now > 0 ? unchanged + 1 : 0;
    last = now;
  }
  return commits;
}

// Median ms of `calls` sequential calls of `once`.
template <class Once>
double median_ms(int calls, Once once) {
  std::vector<double> samples;
  for (int i = 0; i < calls; ++i) {
    auto t0 = Clock::now();
    once();
    samples.push_back(ms_since(t0));
  }
  return median(samples);
}

// What a phase of `calls` calls cost: wall-clock rate, and CPU per call of the daemon and of this
// client (the bench's client threads share the two cores with the daemon).
struct PhaseCost {
  double rate = 0, daemon_us = 0, client_us = 0;
};
template <class Phase>
PhaseCost measure_phase(const DaemonProcess& d, int calls, Phase phase) {
  const long long daemon0 = mw::bench::threads_cpu_ns(d.pid()), client0 = mw::bench::own_cpu_ns();
  const double rate = phase();
  return {rate, (mw::bench::threads_cpu_ns(d.pid()) - daemon0) / 1e3 / calls,
          (mw::bench::own_cpu_ns() - client0) / 1e3 / calls};
}

// MW_BENCH_HOLD=<seconds>: the daemon is left running that long at this point, to attach a heap
// profiler or a debugger, or copy its state directory.
void hold(const DaemonProcess& d, const char* when) {
  if (const char* seconds = std::getenv("MW_BENCH_HOLD")) {
    std::cout << "holding the daemon " << when << ": pid " << d.pid() << ", state " << d.state_dir() << ", for "
              << seconds << " s" << std::endl;
    std::this_thread::sleep_for(std::chrono::seconds(std::atoi(seconds)));
  }
}

void create_part() {
  auto d = fresh_daemon();
  // Beside the daemon's state directory: the same file system, so the same fsync.
  const auto floor_dir = d->state_dir().parent_path() / ("mw_bench_floor_" + std::to_string(::getpid()));
  std::filesystem::create_directories(floor_dir);
  auto c = RpcClient::unix_socket(d->socket_path());
  std::cout << "daemon pid " << d->pid() << "\n";
  int next = 0;
  std::cout << "## vm.create, one connection, against a bare SQLite WAL synchronous=FULL commit (median ms of 200)\n"
            << "(core.ping + commit: the least any call that commits could take over this connection; test.echo + "
               "commit: the least such a call could take once its commit runs off the I/O thread, as every call "
               "that may block does: test.echo is handed to a worker and does nothing there)\n";
  {
    CommitFloor floor(floor_dir);
    const int floor_warm = commit_until_wal_wraps(floor.wal_path(), [&] { floor.commit_one(); });
    const int create_warm =
        commit_until_wal_wraps(d->state_dir() / "db" / "vm.sqlite-wal", [&] { create_vm(c, next++); });
    std::cout << "(both WALs reused, as in a long-running store: " << floor_warm << " bare commits and " << create_warm
              << " vm.create first)\n";
    auto raw = raw_client(d->socket_path());
    for (int round : {0, 1, 2, 3, 4}) {
      const double create = median_ms(200, [&] { create_vm(c, next++); });
      const double create_raw = median_ms(200, [&] { create_vm_raw(*raw, next++); });
      const double commit = median_ms(200, [&] { floor.commit_one(); });
      const double ping = median_ms(200, [&] { c.call("core.ping"); });
      const double on_worker = median_ms(200, [&] { c.call("test.echo", json::array{1}); });
      std::cout << "round " << round << ": vm.create " << create << " ms, commit " << commit << " ms, ratio "
                << create / commit << "; from the raw client " << create_raw << " ms, ratio " << create_raw / commit
                << "; core.ping " << ping << " ms, core.ping + commit " << (ping + commit) / commit
                << "× the commit; test.echo " << on_worker << " ms, test.echo + commit "
                << (on_worker + commit) / commit << "× the commit\n";
    }
  }
  std::filesystem::remove_all(floor_dir);
  const auto create_vm_raw_of = [](std::unique_ptr<mw::bench::RawMessageReader>& raw, int i) {
    create_vm_raw(*raw, i);
  };
  std::cout << "\n## vm.create calls/s, 8 connections against 1 connection (alternating), and CPU per create\n";
  for (int round = 0; round < 3; ++round) {
    const double t0 = epoch_seconds();
    const PhaseCost one = measure_phase(*d, 300, [&] { return run_parallel(*d, 1, next, next + 300, create_vm); });
    next += 300;
    const double t1 = epoch_seconds();
    const PhaseCost eight = measure_phase(*d, 1600, [&] { return run_parallel(*d, 8, next, next + 1600, create_vm); });
    next += 1600;
    std::cout << "round " << round << ": 1 connection " << one.rate << " calls/s, 8 connections " << eight.rate
              << " calls/s, ratio " << eight.rate / one.rate
              << "; CPU µs per create, daemon / client: " << one.daemon_us << " / " << one.client_us << " and "
              << eight.daemon_us << " / " << eight.client_us << std::fixed << std::setprecision(6)
              << " (1 connection from " << t0 << ", 8 from " << t1 << " to " << epoch_seconds() << ")"
              << std::defaultfloat << "\n";
    const PhaseCost one_raw =
        measure_phase(*d, 300, [&] { return run_parallel_on(*d, 1, next, next + 300, raw_client, create_vm_raw_of); });
    next += 300;
    const PhaseCost eight_raw = measure_phase(
        *d, 1600, [&] { return run_parallel_on(*d, 8, next, next + 1600, raw_client, create_vm_raw_of); });
    next += 1600;
    std::cout << "round " << round << ", raw clients: 1 connection " << one_raw.rate << " calls/s, 8 connections "
              << eight_raw.rate << " calls/s, ratio " << eight_raw.rate / one_raw.rate
              << "; CPU µs per create, daemon / client: " << one_raw.daemon_us << " / " << one_raw.client_us << " and "
              << eight_raw.daemon_us << " / " << eight_raw.client_us << "\n";
  }
  std::cout << "\n";
  hold(*d, "after the creates");
}

// ---- vm.query at scale ----

// Median ms, over `rounds`, of sending `frame` and receiving the whole answer (no parsing).
double raw_round_trip_ms(RpcClient& c, const std::string& frame, int rounds) {
  return median_ms(rounds, [&] {
    c.send_text(frame);
    c.receive_text();
  });
}
double raw_round_trip_ms(mw::bench::RawMessageReader& c, const std::string& frame, int rounds) {
  return median_ms(rounds, [&] {
    c.send_text(frame);
    c.receive_message();
  });
}

std::string request_frame(const std::string& method, const json::array& params) {
  return json::serialize(json::object{{"jsonrpc", "2.0"}, {"id", 1}, {"method", method}, {"params", params}});
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

void query_part(const DaemonProcess& d, int n) {
  auto c = RpcClient::unix_socket(d.socket_path());
  const std::string all = request_frame("vm.query", {});
  c.send_text(all);
  const std::string answer = c.receive_text();
  mw::bench::BytesEchoServer echo(
      (d.state_dir().parent_path() / ("mw-bench-bytes-echo-" + std::to_string(::getpid()) + ".sock")).string(), answer);
  {
    auto e = RpcClient::unix_socket(echo.path());
    std::cout << "## vm.query with " << n << " VMs (answer " << answer.size() << " bytes), median ms of 9 per round\n";
    for (int round = 0; round < 3; ++round) {
      const double daemon = raw_round_trip_ms(c, all, 9);
      const double floor = raw_round_trip_ms(e, all, 9);
      std::cout << "round " << round << ": all, whole answer received " << daemon << " ms (" << daemon * 1000 / n
                << " us per VM); bare echo of the same bytes " << floor << " ms; ratio " << daemon / floor << "\n";
    }
    // The same, read by a client that only skips the frames (raw_message_reader.hpp).
    mw::bench::RawMessageReader raw_daemon(d.socket_path().string()), raw_echo(echo.path());
    for (int round = 0; round < 3; ++round) {
      const double daemon = raw_round_trip_ms(raw_daemon, all, 9);
      const double floor = raw_round_trip_ms(raw_echo, all, 9);
      std::cout << "round " << round << ": all, read raw " << daemon << " ms (" << daemon * 1000 / n
                << " us per VM); bare echo read raw " << floor << " ms; ratio " << daemon / floor << "\n";
    }
  }
  const std::string name = "vm" + std::to_string(n / 2);
  const std::string by_name = request_frame("vm.query", query_params(equals("name", json::value(name))));
  const std::string instance = request_frame("vm.get_instance", json::array{n / 2 + 1});
  const std::string ping = request_frame("core.ping", {});
  for (int round = 0; round < 3; ++round) {
    const double p = raw_round_trip_ms(c, ping, 101);
    const double q = raw_round_trip_ms(c, by_name, 101);
    const double g = raw_round_trip_ms(c, instance, 101);
    std::cout << "round " << round << ": core.ping " << p * 1000 << " us; by name " << q * 1000 << " us (" << q / p
              << "x ping); get_instance " << g * 1000 << " us (" << g / p << "x ping)\n";
  }
  json::object sorted_ten, names;
  sorted_ten["order_by"] = json::array{"-memory"};
  sorted_ten["limit"] = 10;
  names["select"] = json::array{"name"};
  std::cout << "by status.state = RUNNING: "
            << raw_round_trip_ms(c, request_frame("vm.query", query_params(equals("status.state", "RUNNING"))), 9)
            << " ms; count: " << raw_round_trip_ms(c, request_frame("vm.query", query_params({}, {{"count", true}})), 9)
            << " ms; order_by -memory, limit 10: "
            << raw_round_trip_ms(c, request_frame("vm.query", query_params({}, sorted_ten)), 9)
            << " ms; select name: " << raw_round_trip_ms(c, request_frame("vm.query", query_params({}, names)), 9)
            << " ms\n";
}

// ---- RSS and start-up ----

// Five times, in ms, from starting the stopped daemon until it answers core.ping. The system's dirty
// pages are written back first: after the bench's own writes (tens of megabytes of databases) the
// kernel writes them back for seconds, and a start-up's fsyncs would wait behind that.
std::vector<double> start_up_ms(DaemonProcess& d) {
  std::vector<double> samples;
  for (int i = 0; i < 5; ++i) {
    d.stop();
    ::sync();
    auto t0 = Clock::now();
    d.restart();  // returns once the daemon answers core.ping on its socket (polled every 1 ms)
    samples.push_back(ms_since(t0));
  }
  return samples;
}

std::string samples_text(const std::vector<double>& samples) {
  std::ostringstream out;
  out << std::fixed << std::setprecision(1);
  for (std::size_t i = 0; i < samples.size(); ++i) out << (i ? ", " : "") << samples[i];
  return out.str();
}

// The daemon's RSS (KiB) at the three moments a scale part measures it, and its anonymous part,
// each also once the daemon has been quiet long enough to give its free heap pages back (it trims
// its heap once calls have stopped for [server] heap_trim_quiet_ms, 1 s by default, checked once
// per that period: within 2 s).
struct RssAt {
  long rss = 0, anon = 0;
};
struct ScaleRss {
  int vms = 0;
  RssAt full, after, restarted;                                // right away
  RssAt full_quiet, after_quiet, restarted_quiet, idle_quiet;  // once quiet
  RssAt restarted_queried_quiet;                               // and once the restarted daemon answered them all
};

// The first vm.query of every VM after a start also builds the rows' ready bytes, which start-up
// leaves until they are first needed: timed alone, then the median of the five after it.
void first_query_after_start(const DaemonProcess& d, int n) {
  auto c = RpcClient::unix_socket(d.socket_path());
  const std::string all = request_frame("vm.query", {});
  const auto t0 = Clock::now();
  c.send_text(all);
  c.receive_text();
  const double first = ms_since(t0);
  const double then = raw_round_trip_ms(c, all, 5);
  std::cout << "vm.query of all " << n << " VMs right after a start: the first " << first << " ms, then " << then
            << " ms (median of 5)\n";
}

RssAt rss_now(const DaemonProcess& d) { return {rss_kib(d.pid()), anon_rss_kib(d.pid())}; }
RssAt rss_once_quiet(const DaemonProcess& d) {
  std::this_thread::sleep_for(std::chrono::milliseconds(2200));
  return rss_now(d);
}

ScaleRss scale_part(int n) {
  auto d = fresh_daemon();
  const auto empty_starts = start_up_ms(*d);
  const double empty_start = median(empty_starts);
  const RssAt idle = rss_now(*d);
  ScaleRss r{n};
  r.idle_quiet = rss_once_quiet(*d);
  const double create_rate = run_parallel(*d, 8, 0, n, create_vm);
  create_nics(*d, n);
  std::cout << "## " << n << " VMs with 3 NICs each (vm.create over 8 connections: " << create_rate << " calls/s)\n";
  r.full = rss_now(*d);
  r.full_quiet = rss_once_quiet(*d);
  query_part(*d, n);
  r.after = rss_now(*d);
  r.after_quiet = rss_once_quiet(*d);
  hold(*d, "after the queries");
  const auto full_starts = start_up_ms(*d);
  const double full_start = median(full_starts);
  r.restarted = rss_now(*d);
  r.restarted_quiet = rss_once_quiet(*d);
  hold(*d, "freshly restarted");
  first_query_after_start(*d, n);
  r.restarted_queried_quiet = rss_once_quiet(*d);
  auto per_vm = [&](long kib, long base) { return (kib - base) * 1024.0 / n; };
  auto line = [&](const char* when, const RssAt& base, const RssAt& full, const RssAt& after, const RssAt& restarted) {
    std::cout << "RSS " << when << ": idle " << base.rss / 1024.0 << " MiB; with " << n << " VMs " << full.rss / 1024.0
              << " MiB (" << per_vm(full.rss, base.rss) << " bytes per VM); after the queries " << after.rss / 1024.0
              << " MiB (" << per_vm(after.rss, base.rss) << " bytes per VM); freshly started with them "
              << restarted.rss / 1024.0 << " MiB (" << per_vm(restarted.rss, base.rss) << " bytes per VM)\n"
              << "  anonymous (RssAnon, above its idle " << base.anon / 1024.0 << " MiB): with them "
              << per_vm(full.anon, base.anon) << " bytes per VM; after the queries " << per_vm(after.anon, base.anon)
              << "; freshly started " << per_vm(restarted.anon, base.anon) << "\n";
  };
  line("right away", idle, r.full, r.after, r.restarted);
  line("once quiet", r.idle_quiet, r.full_quiet, r.after_quiet, r.restarted_quiet);
  std::cout << "RSS once quiet, freshly started and then queried for every VM: "
            << per_vm(r.restarted_queried_quiet.rss, r.idle_quiet.rss) << " bytes per VM\n";
  std::cout << "start-up until it answers (median of 5), empty " << empty_start << " ms (" << samples_text(empty_starts)
            << "); with " << n << " VMs " << full_start << " ms (" << samples_text(full_starts) << "); ratio "
            << full_start / empty_start << "\n\n";
  return r;
}

// What each VM adds between two scale parts: the difference of their RSS over the difference of
// their VM counts. Unlike "bytes per VM above idle" it leaves out the fixed costs the first calls
// bring to an idle daemon (thread stacks, SQLite page caches, malloc arenas and caches), which
// weigh more per VM the fewer VMs there are.
void print_marginal_rss(const ScaleRss& a, const ScaleRss& b) {
  auto per_vm = [&](long kib_a, long kib_b) { return (kib_b - kib_a) * 1024.0 / (b.vms - a.vms); };
  auto line = [&](const char* when, const RssAt& fa, const RssAt& fb, const RssAt& aa, const RssAt& ab, const RssAt& ra,
                  const RssAt& rb) {
    std::cout << "RSS per VM from " << a.vms << " to " << b.vms << " VMs, " << when << ": with them "
              << per_vm(fa.rss, fb.rss) << " bytes; after the queries " << per_vm(aa.rss, ab.rss)
              << " bytes; freshly started with them " << per_vm(ra.rss, rb.rss)
              << " bytes; anonymous: " << per_vm(fa.anon, fb.anon) << " / " << per_vm(aa.anon, ab.anon) << " / "
              << per_vm(ra.anon, rb.anon) << "\n";
  };
  line("right away", a.full, b.full, a.after, b.after, a.restarted, b.restarted);
  line("once quiet", a.full_quiet, b.full_quiet, a.after_quiet, b.after_quiet, a.restarted_quiet, b.restarted_quiet);
  std::cout << "\n";
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty()) args = {"create", "1000", "10000"};
  std::cout << "load average at start: " << load_average() << "\n\n";
  std::optional<ScaleRss> previous;
  for (const auto& a : args) {
    if (a == "create") {
      create_part();
    } else {
      const ScaleRss rss = scale_part(std::stoi(a));
      if (previous && previous->vms != rss.vms) print_marginal_rss(*previous, rss);
      previous = rss;
    }
    std::cout << std::flush;
  }
  std::cout << "load average at end: " << load_average() << "\n";
  return 0;
}
