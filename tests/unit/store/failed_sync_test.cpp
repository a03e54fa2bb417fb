// What a store does once an fsync of its WAL has failed. Nothing written since the last good
// fsync is known to be durable then, and trying again would not tell (the kernel may have dropped
// the dirty pages and cleared the error): the writes waiting for that fsync are told it failed,
// and every later write, plain or shared, is refused without being committed. Reads go on, and
// the store opened again (the daemon restarted) writes as before. The failure is injected
// (wal_sync_faults.hpp).
#include <gtest/gtest.h>

#include "store_test_support.hpp"
#include "wal_sync_faults.hpp"

#include <SQLiteCpp/SQLiteCpp.h>

#include <filesystem>
#include <memory>
#include <middlewared/datastore.hpp>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace {
namespace fs = std::filesystem;
using mw::test::fail_wal_syncs;

using RecordedWrite = mw::test::InsertPerson;

class FailedSyncTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = mw::test::fresh_test_dir("mw_failed_sync_test");
    open();
  }
  void TearDown() override {
    fail_wal_syncs = false;
    store_.reset();
    fs::remove_all(dir_);
  }
  void open() { store_ = mw::test::open_people_store(dir_ / "test.sqlite"); }
  void insert(const std::string& name) {
    store_->write([&](SQLite::Database& db) { db.exec("INSERT INTO people (name) VALUES ('" + name + "')"); });
  }
  std::string write_error(const std::string& name) {
    try {
      insert(name);
    } catch (const std::exception& e) {
      return e.what();
    }
    return "";
  }
  std::string shared_write_error(RecordedWrite& w) {
    try {
      store_->write_shared(w, &guard_);
    } catch (const std::exception& e) {
      return e.what();
    }
    return "";
  }
  std::vector<std::string> names() { return mw::test::people_names(*store_); }
  std::string wal_error() const {
    return "fsync of " + (dir_ / "test.sqlite").string() + "-wal failed: Input/output error";
  }

  fs::path dir_;
  std::unique_ptr<mw::Datastore> store_;
  std::mutex guard_;
};

TEST_F(FailedSyncTest, TheWriteWaitingForAFailedFsyncIsToldAndLaterWritesAreRefused) {
  insert("ann");
  fail_wal_syncs = true;
  EXPECT_EQ(write_error("bob"), wal_error());
  fail_wal_syncs = false;  // the next fsync would succeed: the store does not try one
  EXPECT_EQ(write_error("cid"), wal_error());
  const auto d = store_->durability();
  EXPECT_LT(d.synced, d.commits) << "bob's commit counted as durable";
  EXPECT_EQ(d.commits, 2u) << "cid was committed";
  // bob's COMMIT had been written to the WAL before its fsync failed: readers see it, its writer
  // was told it may not be durable. cid never got that far.
  EXPECT_EQ(names(), (std::vector<std::string>{"ann", "bob"}));
}

TEST_F(FailedSyncTest, SharedWritesAreRefusedWithoutCommittingAndAFailingOneKeepsItsOwnError) {
  insert("ann");
  fail_wal_syncs = true;
  RecordedWrite bob("bob");
  EXPECT_EQ(shared_write_error(bob), wal_error());
  EXPECT_EQ(bob.finished, true) << "its transaction committed; only the fsync failed";
  fail_wal_syncs = false;

  RecordedWrite cid("cid");
  EXPECT_EQ(shared_write_error(cid), wal_error());
  EXPECT_EQ(cid.finished, false);
  RecordedWrite duplicate("ann");  // fails by itself before the refusal: its own error
  EXPECT_NE(shared_write_error(duplicate).find("UNIQUE constraint failed"), std::string::npos);
  EXPECT_EQ(duplicate.finished, false);
  EXPECT_EQ(names(), (std::vector<std::string>{"ann", "bob"}));
}

// Writers that shared a transaction sleep until its fsync ends; when it fails, each is told (none
// is left waiting for a later fsync that will not come).
TEST_F(FailedSyncTest, EveryWriterOfASharedTransactionIsToldItsFsyncFailed) {
  insert("ann");
  fail_wal_syncs = true;
  std::vector<std::unique_ptr<RecordedWrite>> writes;
  std::vector<std::string> errors(3);
  std::vector<std::thread> threads;
  {
    auto held = store_->hold_shared_writes();
    for (std::size_t i = 0; i < errors.size(); ++i) {
      writes.push_back(std::make_unique<RecordedWrite>("w" + std::to_string(i)));
      threads.emplace_back([&, i, w = writes.back().get()] { errors[i] = shared_write_error(*w); });
      mw::test::wait_until_queued(*store_, i + 1);
    }
  }
  for (auto& t : threads) t.join();
  for (std::size_t i = 0; i < errors.size(); ++i) {
    EXPECT_EQ(errors[i], wal_error()) << "writer " << i;
    EXPECT_EQ(writes[i]->finished, true) << "writer " << i;
  }
  EXPECT_EQ(store_->durability().commits, 2u) << "the three shared one transaction";
}

TEST_F(FailedSyncTest, TheStoreOpenedAgainWritesAsBefore) {
  insert("ann");
  fail_wal_syncs = true;
  EXPECT_EQ(write_error("bob"), wal_error());
  fail_wal_syncs = false;
  store_.reset();
  open();
  EXPECT_EQ(write_error("cid"), "");
  EXPECT_EQ(names(), (std::vector<std::string>{"ann", "bob", "cid"}));
  const auto d = store_->durability();
  EXPECT_EQ(d.synced, d.commits);
}

}  // namespace
