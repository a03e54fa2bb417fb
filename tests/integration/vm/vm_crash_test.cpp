// kill -9 in the middle of a stream of vm.create calls: every call that returned an id is there
// after a restart (each create is one committed SQLite transaction before it answers), also when
// many connections create at once and their commits share fsyncs.
#include <atomic>
#include <mutex>
#include <thread>

#include "vm_daemon_fixture.hpp"

namespace vm_it {
namespace {

class VmCrashTest : public VmDaemonTest {
 protected:
  // Lets the stream run until `count()` reaches `enough` (or a minute passed: the assertions after
  // the kill then say the stream barely started).
  template <class Count>
  static void wait_for_acknowledgements(Count count, std::size_t enough) {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::minutes(1);
    while (count() < enough && std::chrono::steady_clock::now() < deadline)
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
};

TEST_F(VmCrashTest, EveryAcknowledgedCreateSurvivesKill9) {
  std::vector<int64_t> acknowledged;
  std::atomic<bool> stop{false};
  std::thread writer([&] {
    try {
      auto c = client();
      for (int i = 0; !stop; ++i) acknowledged.push_back(create_stopped_vm(c, "crash" + std::to_string(i)));
    } catch (const std::exception&) {
      // the daemon died under us: expected
    }
  });
  wait_for_acknowledgements([&] { return acknowledged.size(); },
                            6);  // not a fixed time: a loaded machine may be slow to start
  daemon_->kill9();
  stop = true;
  writer.join();
  ASSERT_GT(acknowledged.size(), 5u) << "the stream barely started";
  daemon_->restart();
  auto stored = call("vm.query", {js(R"([["name", "^", "crash"]])"), js(R"({"select": ["id"]})")}).as_array();
  std::set<int64_t> ids;
  for (const auto& row : stored) ids.insert(row.as_object().at("id").as_int64());
  for (int64_t id : acknowledged) EXPECT_TRUE(ids.contains(id)) << "VM " << id << " was acknowledged but is gone";
  EXPECT_LE(ids.size(), acknowledged.size() + 1);  // at most the one in flight
}

TEST_F(VmCrashTest, EveryAcknowledgedCreateOfEightConcurrentConnectionsSurvivesKill9) {
  constexpr int kConnections = 8;
  std::mutex mutex;
  std::vector<int64_t> acknowledged;
  std::atomic<bool> stop{false};
  std::atomic<int> started{0};
  std::vector<std::thread> writers;
  for (int w = 0; w < kConnections; ++w)
    writers.emplace_back([&, w] {
      try {
        auto c = client();
        ++started;
        for (int i = 0; !stop; ++i) {
          auto id = create_stopped_vm(c, "group" + std::to_string(w) + "x" + std::to_string(i));
          std::lock_guard lock(mutex);
          acknowledged.push_back(id);
        }
      } catch (const std::exception&) {
        // the daemon died under us: expected
      }
    });
  wait_for_acknowledgements(
      [&] {
        std::lock_guard lock(mutex);
        return acknowledged.size();
      },
      4 * kConnections);
  daemon_->kill9();
  stop = true;
  for (auto& t : writers) t.join();
  ASSERT_EQ(started, kConnections);
  ASSERT_GT(acknowledged.size(), 2u * kConnections) << "the streams barely started";
  daemon_->restart();
  auto stored = call("vm.query", {js(R"([["name", "^", "group"]])"), js(R"({"select": ["id"]})")}).as_array();
  std::set<int64_t> ids;
  for (const auto& row : stored) ids.insert(row.as_object().at("id").as_int64());
  for (int64_t id : acknowledged) EXPECT_TRUE(ids.contains(id)) << "VM " << id << " was acknowledged but is gone";
  EXPECT_LE(ids.size(), acknowledged.size() + kConnections);  // at most one in flight per connection
}

}  // namespace
}  // namespace vm_it
