// Datastore::write_shared_later: a write whose caller does not wait. It shares transactions like
// write_shared(), fails alone, and its caller is told once it is on disk (or why not), by whichever
// thread ran the fsync; where the store is told to, its transaction runs elsewhere.
#include <gtest/gtest.h>

#include "store_test_support.hpp"

#include <SQLiteCpp/SQLiteCpp.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <middlewared/datastore.hpp>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace {
namespace fs = std::filesystem;

class Insert final : public mw::SharedWrite {
 public:
  Insert(std::string name, mw::Datastore* store = nullptr) : name_(std::move(name)), store_(store) {}
  void apply(SQLite::Database& db) override {
    db.exec("INSERT INTO people (name) VALUES ('" + name_ + "')");
    if (store_) commit = store_->durability().commits + 1;  // transactions are serialised: this one commits next
  }
  void finish(bool committed) noexcept override {
    finished = committed;
    if (on_finish) on_finish();
  }
  std::optional<bool> finished;
  std::function<void()> on_finish;  // run as it finishes, inside its transaction's end
  std::uint64_t commit = 0;         // with a store: the transaction it is in

 private:
  std::string name_;
  mw::Datastore* store_;
};

// What a later write's caller was told, and what the store said then.
struct Told {
  bool called = false;
  std::string error;  // empty: durable
  std::uint64_t synced = 0, commits = 0;
  std::thread::id thread;
};

class LaterWritesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = mw::test::fresh_test_dir("mw_later_writes_test");
    store_ = mw::test::open_people_store(dir_ / "db" / "test.sqlite");
  }
  void TearDown() override {
    store_.reset();
    fs::remove_all(dir_);
  }

  std::shared_ptr<Insert> later(const std::string& name, Told& told) {
    auto w = std::make_shared<Insert>(name);
    store_->write_shared_later(w, &guard_, [this, &told](std::exception_ptr error) {
      told.called = true;
      told.thread = std::this_thread::get_id();
      if (error) {
        try {
          std::rethrow_exception(error);
        } catch (const std::exception& e) {
          told.error = e.what();
        }
      }
      const auto d = store_->durability();
      told.synced = d.synced;
      told.commits = d.commits;
    });
    return w;
  }

  // Three later writes run here in one transaction: one fsync tells their writers together.
  void tell_three_together(const std::string& prefix) {
    Told w1, w2, w3;
    {
      auto held = store_->hold_shared_writes();
      later(prefix + "1", w1);
      later(prefix + "2", w2);
      later(prefix + "3", w3);
    }
    ASSERT_TRUE(w1.called && w2.called && w3.called);
    ASSERT_EQ(w1.error + w2.error + w3.error, "");
  }
  // From now on a transaction the store would run elsewhere is kept in tasks_, to be run by the test.
  void keep_transactions_to_run() {
    store_->lead_later_writes_on([this](std::function<void()> task) {
      std::lock_guard lock(tasks_mutex_);
      tasks_.push_back(std::move(task));
    });
  }
  std::size_t kept_transactions() {
    std::lock_guard lock(tasks_mutex_);
    return tasks_.size();
  }
  // Once `runner` ended: the three writers were told they are on disk, and their writes shared
  // one transaction, the one kept (the store's second).
  void expect_told_together_after(std::thread& runner, const Told& w1, const Told& w2, const Told& w3) {
    runner.join();
    EXPECT_TRUE(w1.called && w2.called && w3.called);
    EXPECT_EQ(w1.error + w2.error + w3.error, "");
    EXPECT_EQ(store_->durability().commits, 2u);
    EXPECT_EQ(kept_transactions(), 1u);
  }
  // The one transaction kept so far, run on a thread of its own.
  std::thread run_kept_transaction() {
    std::lock_guard lock(tasks_mutex_);
    EXPECT_EQ(tasks_.size(), 1u);
    return std::thread(tasks_.empty() ? std::function<void()>([] {}) : tasks_.front());
  }

  fs::path dir_;
  std::unique_ptr<mw::Datastore> store_;
  std::mutex guard_;
  std::mutex tasks_mutex_;
  std::vector<std::function<void()>> tasks_;
};

// Nowhere else to run it: the caller runs the transaction and its fsync, and is told before it
// returns.
TEST_F(LaterWritesTest, ALaterWriteIsToldOnceItIsOnDisk) {
  Told told;
  auto w = later("ann", told);
  EXPECT_TRUE(told.called);
  EXPECT_EQ(told.error, "");
  EXPECT_EQ(told.synced, told.commits);
  EXPECT_EQ(w->finished, true);
  EXPECT_EQ(mw::test::people_names(*store_), std::vector<std::string>{"ann"});
}

TEST_F(LaterWritesTest, LaterWritesQueuedTogetherShareATransactionAndOneFailsAlone) {
  Told ann, again, bob;
  {
    auto held = store_->hold_shared_writes();
    later("ann", ann);
    later("ann", again);  // the name is taken by the write before it
    later("bob", bob);
    EXPECT_FALSE(ann.called || again.called || bob.called);  // queued: nobody waits for them
    EXPECT_EQ(store_->durability().queued, 3u);
  }  // the thread that lets them go runs them: nobody else would
  EXPECT_TRUE(ann.called && again.called && bob.called);
  EXPECT_EQ(ann.error, "");
  EXPECT_NE(again.error.find("UNIQUE"), std::string::npos) << again.error;
  EXPECT_EQ(bob.error, "");
  EXPECT_EQ(bob.synced, bob.commits);
  EXPECT_EQ(store_->durability().commits, 1u);
  EXPECT_EQ(mw::test::people_names(*store_), (std::vector<std::string>{"ann", "bob"}));
}

// Told where to run them, the caller only queues: one task is handed over however many writes
// queue before it runs, and the thread that runs it ends them all.
TEST_F(LaterWritesTest, WhereTheStoreIsToldToRunThemTheCallerOnlyQueues) {
  std::vector<std::function<void()>> tasks;
  store_->lead_later_writes_on([&](std::function<void()> task) { tasks.push_back(std::move(task)); });
  Told ann, bob;
  later("ann", ann);
  later("bob", bob);
  EXPECT_FALSE(ann.called || bob.called);
  ASSERT_EQ(tasks.size(), 1u);
  EXPECT_EQ(store_->durability().commits, 0u);
  std::thread::id runner;
  std::thread elsewhere([&] {
    runner = std::this_thread::get_id();
    tasks.front()();
  });
  elsewhere.join();
  EXPECT_EQ(ann.thread, runner);
  EXPECT_EQ(bob.thread, runner);
  EXPECT_EQ(ann.error, "");
  EXPECT_EQ(bob.error, "");
  EXPECT_EQ(store_->durability().commits, 1u);
  EXPECT_EQ(bob.synced, bob.commits);
}

// A write queued after a transaction took its last (here: while it finishes) is run by nobody else:
// the transaction hands it on before its fsync, and does not run it itself afterwards.
TEST_F(LaterWritesTest, AWriteQueuedAsATransactionEndsIsHandedOnBeforeItsFsync) {
  std::mutex tasks_mutex;
  std::vector<std::function<void()>> tasks;
  store_->lead_later_writes_on([&](std::function<void()> task) {
    std::lock_guard lock(tasks_mutex);
    tasks.push_back(std::move(task));
  });
  auto task = [&](std::size_t i) {
    std::lock_guard lock(tasks_mutex);
    return tasks.at(i);
  };
  Told ann_told, bob_told;
  auto ann = later("ann", ann_told);
  ann->on_finish = [&] { later("bob", bob_told); };
  std::thread(task(0)).join();
  EXPECT_TRUE(ann_told.called);
  EXPECT_FALSE(bob_told.called);
  ASSERT_EQ(tasks.size(), 2u);
  std::thread(task(1)).join();
  EXPECT_EQ(bob_told.error, "");
  EXPECT_EQ(bob_told.synced, bob_told.commits);
  EXPECT_EQ(store_->durability().commits, 2u);
  EXPECT_EQ(mw::test::people_names(*store_), (std::vector<std::string>{"ann", "bob"}));
}

// Writes on many threads, none waiting: every write lands, each caller is told once it is on
// disk, and writes that arrive together share transactions.
TEST_F(LaterWritesTest, ConcurrentLaterWritersAreEachToldOnceDurable) {
  constexpr int kThreads = 8, kWrites = 30;
  std::atomic<int> told{0}, early{0}, failed{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t)
    threads.emplace_back([&, t] {
      for (int i = 0; i < kWrites; ++i) {
        auto w = std::make_shared<Insert>("t" + std::to_string(t) + "_" + std::to_string(i), store_.get());
        store_->write_shared_later(w, &guard_, [&, w](std::exception_ptr error) {
          if (error) ++failed;
          if (store_->durability().synced < w->commit || w->finished != true) ++early;
          ++told;
        });
      }
    });
  for (auto& t : threads) t.join();
  EXPECT_EQ(told, kThreads * kWrites);
  EXPECT_EQ(failed, 0);
  EXPECT_EQ(early, 0);
  const auto d = store_->durability();
  EXPECT_EQ(d.writes, static_cast<std::uint64_t>(kThreads * kWrites));
  EXPECT_EQ(d.synced, d.commits);
}

// Callers answered together by one fsync write again together: the next transaction waits for as
// many writes as that fsync answered before it commits, so that they share one fsync again instead
// of splitting into groups that take turns.
TEST_F(LaterWritesTest, ATransactionAfterAGroupsFsyncWaitsForItsWritersToComeBack) {
  store_->regroup_wait_at_least(std::chrono::seconds(30));  // the wait ends by the writes, not by time
  tell_three_together("a");
  ASSERT_EQ(store_->durability().commits, 1u);
  keep_transactions_to_run();
  Told b1, b2, b3;
  later("b1", b1);
  std::thread runner = run_kept_transaction();
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (store_->durability().regroup_waits == 0 && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  EXPECT_EQ(store_->durability().regroup_waits, 1u);
  EXPECT_FALSE(b1.called);  // taken, held open for the others
  later("b2", b2);
  later("b3", b3);
  expect_told_together_after(runner, b1, b2, b3);
  EXPECT_EQ(mw::test::people_names(*store_), (std::vector<std::string>{"a1", "a2", "a3", "b1", "b2", "b3"}));
}

// Writers come back one by one (each client at its own pace): each that comes gives the others
// as long again, so a group whose last writer comes later than the limit after they were told, but
// within it of the one before, still shares one transaction.
TEST_F(LaterWritesTest, EachWriterThatComesBackGivesTheOthersAsLongAgain) {
  constexpr auto kLimit = std::chrono::milliseconds(1000);
  store_->regroup_wait_at_least(kLimit);
  tell_three_together("a");
  const auto told = std::chrono::steady_clock::now();
  keep_transactions_to_run();
  Told b1, b2, b3;
  later("b1", b1);
  std::thread runner = run_kept_transaction();  // takes b1, waits for the others
  std::this_thread::sleep_until(told + kLimit * 6 / 10);
  later("b2", b2);
  std::this_thread::sleep_until(told + kLimit * 12 / 10);  // past the limit since they were told
  EXPECT_FALSE(b1.called);                                 // still waiting: b2 came 0.6 of it ago
  later("b3", b3);
  expect_told_together_after(runner, b1, b2, b3);
}

// The thread that ran a group's fsync tells its writers, then runs the next transaction for later
// writes itself: a write queued while the group is told (here by its first writer, as a client
// answered at once writes again) waits for that thread, not for a worker woken to run it.
TEST_F(LaterWritesTest, AWriteQueuedWhileItsGroupIsToldIsRunByTheThreadTellingIt) {
  keep_transactions_to_run();
  Told a1, b1;
  store_->write_shared_later(std::make_shared<Insert>("a1"), &guard_, [&](std::exception_ptr error) {
    a1.called = error == nullptr;
    a1.thread = std::this_thread::get_id();
    later("b1", b1);
  });
  std::thread runner = run_kept_transaction();
  runner.join();
  ASSERT_TRUE(a1.called);
  EXPECT_TRUE(b1.called);
  EXPECT_EQ(b1.error, "");
  EXPECT_EQ(b1.thread, a1.thread);
  EXPECT_EQ(kept_transactions(), 1u);  // b1 was not handed to another thread
  EXPECT_EQ(store_->durability().commits, 2u);
}

// Writers that do not come back are waited for no longer than the last transaction took to be on
// disk: the write that did come commits alone.
TEST_F(LaterWritesTest, WritersThatDoNotComeBackAreWaitedForOnlyBriefly) {
  Told a1, a2, b1;
  {
    auto held = store_->hold_shared_writes();
    later("a1", a1);
    later("a2", a2);
  }
  later("b1", b1);  // run here: it waits, then commits alone (it would never end without the limit)
  EXPECT_TRUE(b1.called);
  EXPECT_EQ(b1.error, "");
  const auto d = store_->durability();
  EXPECT_EQ(d.regroup_waits, 1u);
  EXPECT_EQ(d.commits, 2u);
  EXPECT_EQ(d.synced, d.commits);
}

// A writer that misses a transaction waits for it to be on disk, then for its own: the wait for
// the writers of an fsync is as long as the transaction it made durable took from taking its last
// write to being on disk, not the fsync alone. Here that transaction's end takes 3 ms, under the
// cap of 5 ms, while an fsync on the test's disk takes far less.
TEST_F(LaterWritesTest, TheWaitForAGroupIsAsLongAsItsTransactionTookToBeDurable) {
  constexpr auto kEnd = std::chrono::milliseconds(3);
  static_assert(kEnd < mw::Datastore::kRegroupWaitCap);
  Told a1, a2;
  {
    auto held = store_->hold_shared_writes();
    later("a1", a1)->on_finish = [&] { std::this_thread::sleep_for(kEnd); };
    later("a2", a2);
  }  // run here: one transaction whose end takes kEnd, its fsync, both writers told
  ASSERT_TRUE(a1.called && a2.called);
  const auto d = store_->durability();
  ASSERT_EQ(d.commits, 1u);
  EXPECT_GE(d.regroup_limit, kEnd);
}

// A lone writer's next write is the one its fsync expects back: it never waits for anyone.
TEST_F(LaterWritesTest, ALoneWritersTransactionsNeverWait) {
  store_->regroup_wait_at_least(std::chrono::seconds(30));
  std::vector<Told> told(5);
  for (std::size_t i = 0; i < told.size(); ++i) {
    later("p" + std::to_string(i), told[i]);
    EXPECT_TRUE(told[i].called);
  }
  const auto d = store_->durability();
  EXPECT_EQ(d.regroup_waits, 0u);
  EXPECT_EQ(d.commits, 5u);
}

}  // namespace
