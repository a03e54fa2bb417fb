// kill -9 in the middle of a stream of vm.create calls: every call that returned an id is there
// after a restart (each create is one committed SQLite transaction before it answers).
#include <atomic>
#include <thread>

#include "vm_daemon_fixture.hpp"

namespace vm_it {
namespace {

class VmCrashTest : public VmDaemonTest {};

TEST_F(VmCrashTest, EveryAcknowledgedCreateSurvivesKill9) {
  std::vector<int64_t> acknowledged;
  std::atomic<bool> stop{false};
  std::thread writer([&] {
    try {
      auto c = client();
      for (int i = 0; !stop; ++i)
        acknowledged.push_back(
            c.call("vm.create", {js(R"({"name": "crash)" + std::to_string(i) + R"(", "memory": 256, "autostart": false})")}).as_object().at("id").as_int64());
    } catch (const std::exception&) {
      // the daemon died under us: expected
    }
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
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

}  // namespace
}  // namespace vm_it
