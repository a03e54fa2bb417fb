// vm.create over many WebSocket connections at once against the real daemon: creates that arrive
// together share a transaction (and its fsync), a transaction waits for the writers an fsync
// answered to write again, every one lands and survives a kill -9, and
// creates of one name racing each other give one VM and "already exists" to the rest.
#include <atomic>
#include <chrono>
#include <mutex>
#include <regex>
#include <set>
#include <thread>

#include "support/http_get.hpp"
#include "vm_daemon_fixture.hpp"

namespace vm_it {
namespace {

class VmSharedCreateTest : public VmDaemonTest {
 protected:
  // A counter of the vm plugin's database on /metrics.
  static double store_counter(const std::string& text, const std::string& name) {
    std::smatch m;
    const std::regex line("(^|\n)" + name + R"(\{store="vm"\} ([0-9.e+]+))");
    if (!std::regex_search(text, m, line)) {
      ADD_FAILURE() << name << " not in /metrics:\n" << text;
      return 0;
    }
    return std::stod(m[2]);
  }
  struct Counters {
    double writes, transactions, regroup_waits, regroup_limit_seconds;
  };
  // /metrics is scraped at most once a second: a second scrape waits for a fresh one.
  static Counters scrape() {
    static std::chrono::steady_clock::time_point last{};
    std::this_thread::sleep_until(last + std::chrono::milliseconds(1100));
    const auto text = mw::test::run_http_get(daemon_->socket_path(), "/metrics");
    last = std::chrono::steady_clock::now();
    return {store_counter(text, "middlewared_datastore_writes_total"),
            store_counter(text, "middlewared_datastore_transactions_total"),
            store_counter(text, "middlewared_datastore_regroup_waits_total"),
            store_counter(text, "middlewared_datastore_regroup_limit_seconds")};
  }
};

TEST_F(VmSharedCreateTest, ConcurrentCreatesAllLandShareTransactionsWaitForTheirGroupAndSurviveKill9) {
  constexpr int kConnections = 8, kEach = 30;
  const Counters before = scrape();
  std::mutex mutex;
  std::set<int64_t> acknowledged;
  std::atomic<int> failed{0};
  std::vector<std::thread> writers;
  for (int w = 0; w < kConnections; ++w)
    writers.emplace_back([&, w] {
      auto c = client();
      for (int i = 0; i < kEach; ++i) {
        try {
          auto id = create_stopped_vm(c, "shared" + std::to_string(w) + "x" + std::to_string(i));
          std::lock_guard lock(mutex);
          acknowledged.insert(id);
        } catch (const std::exception&) {
          ++failed;
        }
      }
    });
  for (auto& t : writers) t.join();
  EXPECT_EQ(failed, 0);
  ASSERT_EQ(acknowledged.size(), static_cast<std::size_t>(kConnections * kEach));

  const Counters after = scrape();
  EXPECT_EQ(after.writes - before.writes, kConnections * kEach);
  EXPECT_LT(after.transactions - before.transactions, after.writes - before.writes)
      << "no two creates shared a transaction";
  // Each connection sends its next create once answered: after an fsync that answered several,
  // the next transaction found fewer queued than came back, at least once in 240 creates.
  EXPECT_GT(after.regroup_waits - before.regroup_waits, 0) << "no transaction waited for its writers";
  // As long as a transaction took from its last write to being on disk: more than nothing, and no
  // more than the store's cap of 5 ms.
  EXPECT_GT(after.regroup_limit_seconds, 0);
  EXPECT_LE(after.regroup_limit_seconds, 0.005);

  daemon_->kill9();
  daemon_->restart();
  auto stored = call("vm.query", {js(R"([["name", "^", "shared"]])"), js(R"({"select": ["id"]})")}).as_array();
  std::set<int64_t> ids;
  for (const auto& row : stored) ids.insert(row.as_object().at("id").as_int64());
  EXPECT_EQ(ids, acknowledged);
}

TEST_F(VmSharedCreateTest, SameNameFromManyConnectionsGivesOneVmAndAlreadyExistsToTheRest) {
  constexpr int kConnections = 8;
  for (int round = 0; round < 5; ++round) {
    const std::string name = "twin" + std::to_string(round);
    std::atomic<int> ready{0};
    std::atomic<int> created{0};
    std::mutex mutex;
    std::vector<std::string> errors;
    std::vector<std::thread> callers;
    for (int w = 0; w < kConnections; ++w)
      callers.emplace_back([&] {
        auto c = client();
        ++ready;
        while (ready < kConnections) std::this_thread::yield();  // all at once
        try {
          create_stopped_vm(c, name);
          ++created;
        } catch (const mw::test::RpcError& e) {
          std::string triple = "?";
          if (e.data.is_object() && e.data.as_object().contains("extra"))
            triple = json::serialize(e.data.as_object().at("extra"));
          std::lock_guard lock(mutex);
          errors.push_back(triple);
        }
      });
    for (auto& t : callers) t.join();
    EXPECT_EQ(created, 1) << name;
    ASSERT_EQ(errors.size(), static_cast<std::size_t>(kConnections - 1)) << name;
    for (const auto& e : errors) EXPECT_EQ(e, R"([["vm_create.name","This name already exists.",17]])") << name;
    EXPECT_EQ(call("vm.query", {js(R"([["name", "=", ")" + name + R"("]])")}).as_array().size(), 1u);
  }
}

}  // namespace
}  // namespace vm_it
