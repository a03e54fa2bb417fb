// vm.stop waits for the guest without holding a job-pool thread (docs/THREADS.md, the job-pool
// budget): a daemon with two job threads runs four graceful stops at once, real QEMU guests that
// ignore the power button, and still runs other jobs meanwhile.
#include "vm_lifecycle_fixture.hpp"

#include <vector>

namespace vm_it {
namespace {

using namespace std::chrono_literals;

class VmStopPoolTest : public VmLifecycleTest {
 protected:
  static constexpr int kJobThreads = 2;
  static void SetUpTestSuite() {
    storage_ = std::filesystem::temp_directory_path() / ("mw_vm_stop_pool_" + std::to_string(::getpid()));
    std::filesystem::remove_all(storage_);
    std::filesystem::create_directories(storage_);
    mw::test::DaemonOptions options;
    options.config_text = "[server]\njob_threads = " + std::to_string(kJobThreads) +
                          "\n[vm]\nstorage_roots = " + storage_.string() + "\nstop_vms_on_shutdown = true\n";
    daemon_ = std::make_unique<mw::test::DaemonProcess>(options);
  }

  static std::string job_state(int64_t job_id) {
    auto jobs = call("core.get_jobs", {json::array{json::array{"id", "=", job_id}}, json::object{}});
    return std::string(jobs.as_array().at(0).at("state").as_string());
  }
};

TEST_F(VmStopPoolTest, MoreConcurrentStopsThanJobThreadsLeaveThePoolFreeAndEndWhenTheGuestsGo) {
  std::vector<int64_t> vms, stops;
  for (int i = 0; i < 2 * kJobThreads; ++i) {
    // SeaBIOS without an OS ignores the power button: each stop waits its whole timeout unless
    // cut short.
    vms.push_back(create_vm("pool_" + std::to_string(i), json::object{{"shutdown_timeout", 300}}));
    call("vm.start", {vms.back()});
  }
  for (auto id : vms) stops.push_back(call("vm.stop", {id}).as_int64());
  for (auto id : vms) EXPECT_TRUE(eventually([&] { return status(id).at("state") == "STOPPING"; }, 60s)) << "vm " << id;

  // Were the stops holding job threads, this job could run only after one of them had ended.
  EXPECT_TRUE(run_job("test.job_noop", {1}).is_null());
  for (auto job : stops) EXPECT_EQ(job_state(job), "RUNNING") << "stop job " << job;

  // A power-off cuts each graceful stop short; the stop job then ends at once, successfully.
  for (auto id : vms) call("vm.poweroff", {id});
  auto waiter = client();
  waiter.call("core.set_options", {json::object{{"legacy_jobs", false}}});
  for (auto job : stops) EXPECT_TRUE(waiter.call("core.job_wait", {job}).is_null());
  for (auto job : stops) EXPECT_EQ(job_state(job), "SUCCESS");
  for (auto id : vms) EXPECT_EQ(status(id).at("state"), "STOPPED");
}

TEST_F(VmStopPoolTest, DeferredStopOfAVmThatIsNotRunningFailsWithTheDocumentedError) {
  const auto id = create_vm("pool_idle");
  EXPECT_THROW(run_job("vm.stop", {id}), mw::test::RpcError);
  EXPECT_EQ(status(id).at("state"), "STOPPED");
}

}  // namespace
}  // namespace vm_it
