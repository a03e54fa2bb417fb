// A slow fsync (a disk failing or swamped) must not make the next shared transaction hold its
// callers' lock as long while it waits for that fsync's writers to write again: how soon writers
// come back depends on them, not on the disk. The slowness is injected (wal_sync_faults.hpp).
#include <gtest/gtest.h>

#include "store_test_support.hpp"
#include "wal_sync_faults.hpp"

#include <chrono>
#include <exception>
#include <filesystem>
#include <memory>
#include <middlewared/datastore.hpp>
#include <mutex>
#include <vector>

namespace {
namespace fs = std::filesystem;
using mw::test::InsertPerson;
using mw::test::slow_wal_syncs;

class SlowSyncTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = mw::test::fresh_test_dir("mw_slow_sync_test");
    store_ = mw::test::open_people_store(dir_ / "test.sqlite");
  }
  void TearDown() override {
    slow_wal_syncs = std::chrono::milliseconds(0);
    store_.reset();
    fs::remove_all(dir_);
  }
  // Queued without waiting; run by this thread when no transaction is under way.
  void later(const std::string& name, int& told) {
    store_->write_shared_later(std::make_shared<InsertPerson>(name), &guard_,
                               [&told](std::exception_ptr error) { told = error ? -1 : 1; });
  }

  fs::path dir_;
  std::unique_ptr<mw::Datastore> store_;
  std::mutex guard_;
};

TEST_F(SlowSyncTest, AfterASlowFsyncTheNextTransactionWaitsForItsWritersOnlyBriefly) {
  int a1 = 0, a2 = 0, b1 = 0;
  slow_wal_syncs = std::chrono::milliseconds(2000);
  {
    auto held = store_->hold_shared_writes();
    later("a1", a1);
    later("a2", a2);
  }  // run here: one transaction, and an fsync of two seconds that answers both
  ASSERT_EQ(a1 + a2, 2);
  slow_wal_syncs = std::chrono::milliseconds(0);
  const auto started = std::chrono::steady_clock::now();
  later("b1", b1);  // waits for a second writer that never comes, then commits alone
  const auto took = std::chrono::steady_clock::now() - started;
  EXPECT_EQ(b1, 1);
  EXPECT_EQ(store_->durability().regroup_waits, 1u);
  EXPECT_EQ(store_->durability().commits, 2u);
  // The cap is mw::Datastore::kRegroupWaitCap; waiting as long as the slow fsync took would be 2 s.
  EXPECT_LT(took, std::chrono::milliseconds(1000));
}

}  // namespace
