// Datastore::write_shared: writes queued together run in one transaction, each in a SAVEPOINT of
// its own; a failing one fails alone, a failing COMMIT fails them all.
#include <gtest/gtest.h>

#include "store_test_support.hpp"

#include <SQLiteCpp/SQLiteCpp.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <functional>
#include <memory>
#include <middlewared/datastore.hpp>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace {
namespace fs = std::filesystem;

// A shared write from a function; records how it was finished.
class FnWrite final : public mw::SharedWrite {
 public:
  explicit FnWrite(std::function<void(SQLite::Database&)> fn) : fn_(std::move(fn)) {}
  void apply(SQLite::Database& db) override { fn_(db); }
  void finish(bool committed) noexcept override {
    finished = committed;
    if (journal) journal->push_back("finish " + label);
  }
  void transaction_finished() noexcept override {
    if (journal) journal->push_back("transaction finished " + label);
  }

  std::optional<bool> finished;                 // unset: never finished
  std::string error;                            // what write_shared threw; empty when it returned
  std::vector<std::string>* journal = nullptr;  // with a label: its finish calls, in order
  std::string label;

 private:
  std::function<void(SQLite::Database&)> fn_;
};

std::function<void(SQLite::Database&)> insert_person(const std::string& name) {
  return [name](SQLite::Database& db) { db.exec("INSERT INTO people (name) VALUES ('" + name + "')"); };
}

class SharedWritesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = mw::test::fresh_test_dir("mw_shared_writes_test");
    store_ = std::make_unique<mw::Datastore>(dir_ / "db" / "test.sqlite", steps());
  }
  void TearDown() override {
    store_.reset();
    fs::remove_all(dir_);
  }

  static std::vector<mw::Migration> steps() {
    return {{1, "people", "CREATE TABLE people (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE);"},
            // Checked at COMMIT only: a way to make a COMMIT fail.
            {2, "badges",
             "CREATE TABLE badges (id INTEGER PRIMARY KEY, person INTEGER NOT NULL REFERENCES people(id) "
             "DEFERRABLE INITIALLY DEFERRED);"}};
  }
  std::vector<std::string> names() { return mw::test::people_names(*store_); }

  // Runs every write on a thread of its own, queued in the given order while shared writes are
  // held, then lets them run: they share one transaction (up to kMaxSharedWrites).
  void run_queued_together(std::vector<FnWrite*> writes) {
    std::vector<std::thread> threads;
    // The writes of a failed transaction all throw the one exception, and the last thread done
    // with it frees it. The count that orders that free after the others' reads is libstdc++'s,
    // which ThreadSanitizer does not see (scripts/tsan.sh): each thread reads the message
    // and lets go of the exception (the catch's end) under one lock, which it does see.
    std::mutex catching;
    {
      auto held = store_->hold_shared_writes();
      for (std::size_t i = 0; i < writes.size(); ++i) {
        threads.emplace_back([this, &catching, w = writes[i]] {
          std::unique_lock lock(catching, std::defer_lock);  // released after the catch ends
          try {
            store_->write_shared(*w, &guard_);
          } catch (const std::exception& e) {
            lock.lock();
            w->error = e.what();
          }
        });
        mw::test::wait_until_queued(*store_, i + 1);  // in this order
      }
    }
    for (auto& t : threads) t.join();
  }

  fs::path dir_;
  std::unique_ptr<mw::Datastore> store_;
  std::mutex guard_;
};

TEST_F(SharedWritesTest, EachWriteFailsAloneAndTheLaterOnesSeeTheEarlierOnes) {
  int seen = -1;
  FnWrite ann(insert_person("ann"));
  FnWrite refuses([](SQLite::Database& db) {
    insert_person("bob")(db);
    throw std::runtime_error("bob refuses");
  });
  FnWrite duplicate(insert_person("ann"));  // the UNIQUE name: a constraint failure
  FnWrite counts([&](SQLite::Database& db) {
    seen = db.execAndGet("SELECT count(*) FROM people").getInt();
    insert_person("cid")(db);
  });
  const auto before = store_->durability();
  run_queued_together({&ann, &refuses, &duplicate, &counts});

  EXPECT_EQ(ann.error, "");
  EXPECT_EQ(refuses.error, "bob refuses");
  EXPECT_NE(duplicate.error.find("UNIQUE constraint failed"), std::string::npos) << duplicate.error;
  EXPECT_EQ(counts.error, "");
  EXPECT_EQ(seen, 1);  // ann, not bob
  EXPECT_EQ(ann.finished, true);
  EXPECT_EQ(refuses.finished, false);
  EXPECT_EQ(duplicate.finished, false);
  EXPECT_EQ(counts.finished, true);
  EXPECT_EQ(names(), (std::vector<std::string>{"ann", "cid"}));
  const auto after = store_->durability();
  EXPECT_EQ(after.commits, before.commits + 1);  // one transaction
  EXPECT_EQ(after.writes, before.writes + 2);
  EXPECT_EQ(after.synced, after.commits);  // answered once on disk
}

// Work left for the transaction as a whole (one change of an in-memory view) is done once every
// write of it was finished, the failed ones too.
TEST_F(SharedWritesTest, TransactionFinishedComesOnceEveryWriteOfTheTransactionIsFinished) {
  std::vector<std::string> journal;
  FnWrite ann(insert_person("ann"));
  FnWrite refuses([](SQLite::Database&) { throw std::runtime_error("refused"); });
  FnWrite bob(insert_person("bob"));
  for (auto [w, label] : {std::pair{&ann, "ann"}, std::pair{&refuses, "refuses"}, std::pair{&bob, "bob"}}) {
    w->journal = &journal;
    w->label = label;
  }
  run_queued_together({&ann, &refuses, &bob});
  EXPECT_EQ(journal, (std::vector<std::string>{"finish ann", "finish refuses", "finish bob", "transaction finished ann",
                                               "transaction finished refuses", "transaction finished bob"}));
  EXPECT_EQ(refuses.error, "refused");
}

// The first write of a transaction runs without a SAVEPOINT: when it fails, the transaction is
// begun again for the others, which see nothing of it.
TEST_F(SharedWritesTest, AFailingFirstWriteFailsAloneToo) {
  int seen = -1;
  FnWrite refuses([](SQLite::Database& db) {
    insert_person("bob")(db);
    throw std::runtime_error("bob refuses");
  });
  FnWrite counts([&](SQLite::Database& db) {
    seen = db.execAndGet("SELECT count(*) FROM people").getInt();
    insert_person("ann")(db);
  });
  FnWrite refuses_too([](SQLite::Database& db) {
    insert_person("cid")(db);
    throw std::runtime_error("cid refuses");
  });
  FnWrite last(insert_person("dan"));
  const auto before = store_->durability();
  run_queued_together({&refuses, &counts, &refuses_too, &last});

  EXPECT_EQ(refuses.error, "bob refuses");
  EXPECT_EQ(refuses.finished, false);
  EXPECT_EQ(seen, 0);
  EXPECT_EQ(counts.error, "");
  EXPECT_EQ(refuses_too.error, "cid refuses");
  EXPECT_EQ(last.error, "");
  EXPECT_EQ(names(), (std::vector<std::string>{"ann", "dan"}));
  const auto after = store_->durability();
  EXPECT_EQ(after.commits, before.commits + 1);
  EXPECT_EQ(after.writes, before.writes + 2);
}

TEST_F(SharedWritesTest, AFailedCommitFailsEveryWriteOfTheTransactionAndKeepsNothing) {
  FnWrite ann(insert_person("ann"));
  FnWrite dangling([](SQLite::Database& db) { db.exec("INSERT INTO badges (person) VALUES (999)"); });
  FnWrite cid(insert_person("cid"));
  const auto before = store_->durability();
  run_queued_together({&ann, &dangling, &cid});

  for (auto* w : {&ann, &dangling, &cid}) {
    EXPECT_NE(w->error.find("FOREIGN KEY constraint failed"), std::string::npos) << w->error;
    EXPECT_EQ(w->finished, false);
  }
  EXPECT_EQ(names(), std::vector<std::string>{});
  const auto after = store_->durability();
  EXPECT_EQ(after.commits, before.commits);
  EXPECT_EQ(after.writes, before.writes);

  // The connection is usable again: the failed transaction was rolled back.
  FnWrite again(insert_person("ann"));
  store_->write_shared(again, &guard_);
  EXPECT_EQ(again.finished, true);
  EXPECT_EQ(names(), std::vector<std::string>{"ann"});
}

TEST_F(SharedWritesTest, AQueueLongerThanOneTransactionTakesRunsInSeveral) {
  constexpr std::size_t kWrites = mw::Datastore::kMaxSharedWrites + 5;
  std::vector<std::unique_ptr<FnWrite>> writes;
  std::vector<FnWrite*> order;
  for (std::size_t i = 0; i < kWrites; ++i) {
    writes.push_back(std::make_unique<FnWrite>(insert_person("p" + std::to_string(i))));
    order.push_back(writes.back().get());
  }
  const auto before = store_->durability();
  run_queued_together(order);
  for (const auto& w : writes) EXPECT_EQ(w->error, "");
  EXPECT_EQ(names().size(), kWrites);
  EXPECT_EQ(store_->durability().commits, before.commits + 2);
}

// The guard is held around a whole shared transaction: a plain write made under it never runs
// between two shared writes of one transaction.
TEST_F(SharedWritesTest, TheGuardIsHeldAroundTheWholeTransaction) {
  std::atomic<bool> inside{false};
  // Set once the transaction has begun, and never reset: a thread that is slow to look (a loaded
  // machine) still goes on, where waiting for `inside` could miss its whole span and wait forever.
  std::atomic<bool> begun{false};
  std::atomic<int> overlaps{0};
  FnWrite first([&](SQLite::Database& db) {
    inside = true;
    begun = true;
    begun.notify_all();
    insert_person("ann")(db);
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  });
  FnWrite second([&](SQLite::Database& db) {
    insert_person("bob")(db);
    inside = false;
  });
  std::thread plain([&] {
    begun.wait(false);
    std::lock_guard lock(guard_);
    if (inside) ++overlaps;
  });
  run_queued_together({&first, &second});
  plain.join();
  EXPECT_EQ(overlaps, 0);
  EXPECT_EQ(names(), (std::vector<std::string>{"ann", "bob"}));
}

// Writers on many threads: every write lands, each is on disk when its call returns, and writes
// that arrive together share transactions.
TEST_F(SharedWritesTest, ConcurrentWritersShareTransactionsAndAreEachDurableWhenAnswered) {
  constexpr int kThreads = 8, kWrites = 40;
  std::atomic<int> early{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t)
    threads.emplace_back([&, t] {
      for (int i = 0; i < kWrites; ++i) {
        std::uint64_t mine = 0;
        FnWrite w([&](SQLite::Database& db) {
          insert_person("t" + std::to_string(t) + "_" + std::to_string(i))(db);
          mine = store_->durability().commits + 1;  // transactions are serialised: this one commits next
        });
        mw::DurabilityScope scope;
        store_->write_shared(w, &guard_);
        scope.wait();
        if (store_->durability().synced < mine) ++early;
      }
    });
  for (auto& t : threads) t.join();
  EXPECT_EQ(early, 0);
  EXPECT_EQ(names().size(), static_cast<std::size_t>(kThreads * kWrites));
  const auto d = store_->durability();
  EXPECT_EQ(d.writes, static_cast<std::uint64_t>(kThreads * kWrites));
  EXPECT_LT(d.commits, d.writes);
  EXPECT_EQ(d.synced, d.commits);
}

// The caller's DurabilityScope is not left the fsync: the thread that ran the transaction runs it
// for all of its writers, so the write is on disk when write_shared returns.
TEST_F(SharedWritesTest, ASharedWriteIsOnDiskWhenItReturnsAlsoInsideADurabilityScope) {
  FnWrite w(insert_person("ann"));
  mw::DurabilityScope scope;
  store_->write_shared(w, &guard_);
  const auto d = store_->durability();
  EXPECT_EQ(d.synced, d.commits);
  EXPECT_EQ(w.finished, true);
}

}  // namespace
