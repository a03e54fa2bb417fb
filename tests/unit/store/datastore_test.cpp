#include <gtest/gtest.h>

#include "store_test_support.hpp"

#include <SQLiteCpp/SQLiteCpp.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <future>
#include <middlewared/datastore.hpp>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace {
namespace fs = std::filesystem;

class DatastoreTest : public ::testing::Test {
 protected:
  void SetUp() override { dir_ = mw::test::fresh_test_dir("mw_store_test"); }
  void TearDown() override { fs::remove_all(dir_); }
  fs::path db_path() const { return dir_ / "db" / "test.sqlite"; }

  static std::vector<mw::Migration> steps() {
    return {
        {1, "people", "CREATE TABLE people (id INTEGER PRIMARY KEY, name TEXT NOT NULL);"},
        {2, "pets",
         "CREATE TABLE pets (id INTEGER PRIMARY KEY, owner INTEGER NOT NULL REFERENCES people(id) ON DELETE CASCADE);"},
        {3, "index", "CREATE UNIQUE INDEX people_name ON people(name);"}};
  }
  static std::vector<mw::Migration> first(std::size_t n) {
    auto all = steps();
    all.resize(n);
    return all;
  }
  static int count(mw::Datastore& store, const std::string& table) {
    int n = -1;
    store.read([&](SQLite::Database& db) { n = db.execAndGet("SELECT count(*) FROM " + table).getInt(); });
    return n;
  }

  fs::path dir_;
};

TEST_F(DatastoreTest, EmptyDatabaseGetsEveryMigration) {
  mw::Datastore store(db_path(), steps());
  EXPECT_EQ(store.schema_version(), 3);
  EXPECT_TRUE(fs::exists(db_path()));
  EXPECT_EQ(count(store, "pets"), 0);
}

TEST_F(DatastoreTest, UpgradesFromEachEarlierVersionKeepingData) {
  for (std::size_t from = 0; from <= 3; ++from) {
    fs::remove_all(dir_);
    {
      mw::Datastore old(db_path(), first(from));
      EXPECT_EQ(old.schema_version(), static_cast<int>(from));
      if (from >= 1) old.write([](SQLite::Database& db) { db.exec("INSERT INTO people (name) VALUES ('ann')"); });
    }
    mw::Datastore store(db_path(), steps());
    EXPECT_EQ(store.schema_version(), 3) << "from version " << from;
    EXPECT_EQ(count(store, "people"), from >= 1 ? 1 : 0) << "from version " << from;
    // The unique index of step 3 is in force whatever the starting point.
    store.write([](SQLite::Database& db) { db.exec("INSERT INTO people (name) VALUES ('bob')"); });
    EXPECT_THROW(store.write([](SQLite::Database& db) { db.exec("INSERT INTO people (name) VALUES ('bob')"); }),
                 SQLite::Exception);
  }
}

TEST_F(DatastoreTest, FailingMigrationIsRolledBackAndNamed) {
  auto broken = first(1);
  broken.push_back({2, "broken", "CREATE TABLE half (x INTEGER); INSERT INTO nowhere VALUES (1);"});
  try {
    mw::Datastore store(db_path(), broken);
    FAIL() << "no exception";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("migration 2_broken"), std::string::npos) << e.what();
  }
  mw::Datastore store(db_path(), first(1));
  EXPECT_EQ(store.schema_version(), 1);
  int half = -1;
  store.read([&](SQLite::Database& db) {
    half = db.execAndGet("SELECT count(*) FROM sqlite_master WHERE name = 'half'").getInt();
  });
  EXPECT_EQ(half, 0);
}

TEST_F(DatastoreTest, RefusesADatabaseNewerThanTheProgram) {
  { mw::Datastore store(db_path(), steps()); }
  EXPECT_THROW(mw::Datastore(db_path(), first(2)), std::runtime_error);
}

// The writer commits with synchronous=NORMAL (COMMIT writes the WAL but does not fsync it) because
// the store fsyncs the WAL itself, once for every group of commits.
TEST_F(DatastoreTest, ConnectionUsesWalForeignKeysAndLeavesTheCommitFsyncToTheStore) {
  mw::Datastore store(db_path(), steps());
  std::string journal;
  int sync = -1, fk = -1;
  store.write([&](SQLite::Database& db) {
    journal = db.execAndGet("PRAGMA journal_mode").getString();
    sync = db.execAndGet("PRAGMA synchronous").getInt();
    fk = db.execAndGet("PRAGMA foreign_keys").getInt();
  });
  EXPECT_EQ(journal, "wal");
  EXPECT_EQ(sync, 1);  // NORMAL
  EXPECT_EQ(fk, 1);
  auto d = store.durability();
  EXPECT_TRUE(d.grouped);
  EXPECT_EQ(d.commits, 1u);
  EXPECT_EQ(d.synced, 1u);
  EXPECT_EQ(d.fsyncs, 1u);
}

// Rows are read once and served from memory: neither connection keeps SQLite's 2 MiB default cache.
TEST_F(DatastoreTest, BothConnectionsKeepASmallPageCache) {
  mw::Datastore store(db_path(), steps());
  int written = 0, read = 0;
  store.write([&](SQLite::Database& db) { written = db.execAndGet("PRAGMA cache_size").getInt(); });
  store.read([&](SQLite::Database& db) { read = db.execAndGet("PRAGMA cache_size").getInt(); });
  EXPECT_EQ(written, -256);  // KiB
  EXPECT_EQ(read, -256);
}

// A quiet daemon gives back what the page caches hold; the next write and read work as before.
TEST_F(DatastoreTest, ReleasedCacheMemoryIsGivenBackAndTheStoreWorksOn) {
  mw::Datastore store(db_path(), steps());
  store.write([](SQLite::Database& db) {
    for (int i = 0; i < 2000; ++i)
      db.exec("INSERT INTO people (name) VALUES ('person " + std::to_string(i) + " with a longer name')");
  });
  EXPECT_EQ(count(store, "people"), 2000);
  const std::size_t full = store.cache_bytes();
  ASSERT_GT(full, 64u * 1024) << "the writes and the read should have filled the caches";
  mw::Datastore::release_every_cache_memory();
  EXPECT_LT(store.cache_bytes(), full / 2);
  store.write([](SQLite::Database& db) { db.exec("INSERT INTO people (name) VALUES ('after')"); });
  EXPECT_EQ(count(store, "people"), 2001);
}

// The process-wide figure (GET /metrics) sees the caches fill and empty, with no store's lock.
TEST_F(DatastoreTest, SqliteHeapBytesSeeThePageCachesFillAndEmpty) {
  const std::int64_t before = mw::Datastore::sqlite_heap_bytes();
  mw::Datastore store(db_path(), steps());
  store.write([](SQLite::Database& db) {
    for (int i = 0; i < 2000; ++i)
      db.exec("INSERT INTO people (name) VALUES ('person " + std::to_string(i) + " with a longer name')");
  });
  EXPECT_EQ(count(store, "people"), 2000);
  const std::int64_t full = mw::Datastore::sqlite_heap_bytes();
  EXPECT_GT(full, before + static_cast<std::int64_t>(store.cache_bytes()) / 2);
  mw::Datastore::release_every_cache_memory();
  EXPECT_LT(mw::Datastore::sqlite_heap_bytes(), full - 64 * 1024);
}

// A connection in use is skipped, not waited for: releasing never blocks the quiet-time trim.
TEST_F(DatastoreTest, ReleasingCacheMemorySkipsAConnectionInUse) {
  mw::Datastore store(db_path(), steps());
  std::atomic<bool> inside{false}, released{false};
  std::thread writer([&] {
    store.write([&](SQLite::Database& db) {
      db.exec("INSERT INTO people (name) VALUES ('ann')");
      inside = true;
      while (!released) std::this_thread::yield();
    });
  });
  while (!inside) std::this_thread::yield();
  auto release = std::async(std::launch::async, [&] { store.release_cache_memory(); });
  const bool returned = release.wait_for(std::chrono::seconds(10)) == std::future_status::ready;
  released = true;  // lets the writer end either way, so that a failure is reported, not a hang
  writer.join();
  EXPECT_TRUE(returned) << "release_cache_memory waited for the busy writer connection";
  EXPECT_EQ(count(store, "people"), 1);
}

TEST_F(DatastoreTest, WriteThatThrowsLeavesNothing) {
  mw::Datastore store(db_path(), steps());
  EXPECT_THROW(store.write([](SQLite::Database& db) {
    db.exec("INSERT INTO people (name) VALUES ('ann')");
    db.exec("INSERT INTO pets (owner) VALUES (1)");
    throw std::runtime_error("changed my mind");
  }),
               std::runtime_error);
  EXPECT_EQ(count(store, "people"), 0);
  EXPECT_EQ(count(store, "pets"), 0);
}

TEST_F(DatastoreTest, CachedStatementIsPreparedOncePerConnectionAndSurvivesAFailedWrite) {
  mw::Datastore store(db_path(), steps());
  const std::string insert = "INSERT INTO people (name) VALUES (?)";
  const SQLite::Statement* first = nullptr;
  auto add = [&](const char* name) {
    store.write([&](SQLite::Database& db) {
      SQLite::Statement& st = mw::cached_statement(db, insert);
      if (!first) first = &st;
      EXPECT_EQ(&st, first);
      st.bind(1, name);
      st.exec();
    });
  };
  add("ann");
  // The unique index refuses a second "ann": the write rolls back, the statement stays usable.
  EXPECT_THROW(add("ann"), SQLite::Exception);
  add("bob");
  // Bindings are cleared between uses: name stays NULL, which NOT NULL refuses.
  EXPECT_THROW(store.write([&](SQLite::Database& db) { mw::cached_statement(db, insert).exec(); }), SQLite::Exception);
  EXPECT_EQ(count(store, "people"), 2);
  store.read([&](SQLite::Database& db) {
    SQLite::Statement& q = mw::cached_statement(db, "SELECT count(*) FROM people WHERE name = ?");
    q.bind(1, "bob");
    ASSERT_TRUE(q.executeStep());
    EXPECT_EQ(q.getColumn(0).getInt(), 1);
  });
}

// Taking a cached statement resets it. Taken again while its rows are still being read (a helper
// that takes the same SQL, called per row), it would lose its place without a word: that is
// refused, and the reader keeps its rows. Taken again once its run is over, it is simply reused.
TEST_F(DatastoreTest, ACachedStatementTakenAgainWhileItsRowsAreReadIsRefused) {
  mw::Datastore store(db_path(), steps());
  const std::string insert = "INSERT INTO people (name) VALUES (?)";
  store.write([&](SQLite::Database& db) {
    for (const char* name : {"ann", "bob"}) {
      SQLite::Statement& st = mw::cached_statement(db, insert);
      st.bind(1, name);
      st.exec();
    }
  });
  EXPECT_EQ(count(store, "people"), 2);

  const std::string names = "SELECT name FROM people ORDER BY id";
  auto read_names = [&](SQLite::Database& db) {
    SQLite::Statement& outer = mw::cached_statement(db, names);
    ASSERT_TRUE(outer.executeStep());
    try {
      mw::cached_statement(db, names);
      ADD_FAILURE() << "taken twice while its rows were read";
    } catch (const std::logic_error& e) {
      EXPECT_NE(std::string(e.what()).find(names), std::string::npos) << e.what();
    }
    EXPECT_EQ(outer.getColumn(0).getString(), "ann");
    ASSERT_TRUE(outer.executeStep());
    EXPECT_EQ(outer.getColumn(0).getString(), "bob");
    EXPECT_FALSE(outer.executeStep());
    SQLite::Statement& again = mw::cached_statement(db, names);
    EXPECT_EQ(&again, &outer);
    ASSERT_TRUE(again.executeStep());
    EXPECT_EQ(again.getColumn(0).getString(), "ann");
  };
  store.read(read_names);
  store.write(read_names);
  // Left in the middle of its rows when the read ended: the next read takes it afresh.
  store.read([&](SQLite::Database& db) {
    SQLite::Statement& st = mw::cached_statement(db, names);
    ASSERT_TRUE(st.executeStep());
    EXPECT_EQ(st.getColumn(0).getString(), "ann");
  });
}

// BEGIN, COMMIT and ROLLBACK are statements prepared once per connection: after each way a
// transaction can end badly, the next one begins afresh and keeps nothing of the failed one.
TEST_F(DatastoreTest, ACommitThatFailsRollsBackAndTheNextWriteBeginsAfresh) {
  mw::Datastore store(db_path(), steps());
  store.write([](SQLite::Database& db) { db.exec("INSERT INTO people (id, name) VALUES (1, 'ann')"); });
  // A deferred foreign key is checked at COMMIT: the COMMIT fails and leaves the transaction
  // open, so the store must roll it back itself.
  EXPECT_THROW(store.write([](SQLite::Database& db) {
    db.exec("PRAGMA defer_foreign_keys = ON");
    db.exec("INSERT INTO people (id, name) VALUES (2, 'bob')");
    db.exec("INSERT INTO pets (owner) VALUES (99)");
  }),
               SQLite::Exception);
  // fn ended the transaction itself: the COMMIT has nothing to commit and fails.
  EXPECT_THROW(store.write([](SQLite::Database& db) {
    db.exec("INSERT INTO people (id, name) VALUES (3, 'cid')");
    db.exec("ROLLBACK");
  }),
               SQLite::Exception);
  EXPECT_THROW(store.write([](SQLite::Database& db) {
    db.exec("INSERT INTO people (id, name) VALUES (4, 'dan')");
    throw std::runtime_error("changed my mind");
  }),
               std::runtime_error);
  store.write([](SQLite::Database& db) { db.exec("INSERT INTO people (id, name) VALUES (5, 'eve')"); });
  const auto names = mw::test::people_names(store);
  EXPECT_EQ(names, (std::vector<std::string>{"ann", "eve"}));
  EXPECT_EQ(count(store, "pets"), 0);
}

TEST_F(DatastoreTest, AReadThatThrowsEndsItsTransactionAndTheNextReadSeesNewWrites) {
  mw::Datastore store(db_path(), steps());
  EXPECT_EQ(count(store, "people"), 0);
  EXPECT_THROW(store.read([](SQLite::Database& db) {
    db.execAndGet("SELECT count(*) FROM people");
    throw std::runtime_error("reader gave up");
  }),
               std::runtime_error);
  store.write([](SQLite::Database& db) { db.exec("INSERT INTO people (name) VALUES ('ann')"); });
  // A read transaction left open would still see the snapshot from before the write.
  EXPECT_EQ(count(store, "people"), 1);
}

TEST_F(DatastoreTest, CachedStatementOutsideAWriteOrOnAnotherConnectionIsRefused) {
  mw::Datastore store(db_path(), steps());
  SQLite::Database other(db_path().string(), SQLite::OPEN_READONLY);
  EXPECT_THROW(mw::cached_statement(other, "SELECT 1"), std::logic_error);
  store.write([&](SQLite::Database&) { EXPECT_THROW(mw::cached_statement(other, "SELECT 1"), std::logic_error); });
}

TEST_F(DatastoreTest, ForeignKeysCascadeAndRefuseOrphans) {
  mw::Datastore store(db_path(), steps());
  store.write([](SQLite::Database& db) {
    db.exec("INSERT INTO people (id, name) VALUES (1, 'ann')");
    db.exec("INSERT INTO pets (owner) VALUES (1)");
  });
  EXPECT_THROW(store.write([](SQLite::Database& db) { db.exec("INSERT INTO pets (owner) VALUES (99)"); }),
               SQLite::Exception);
  store.write([](SQLite::Database& db) { db.exec("DELETE FROM people WHERE id = 1"); });
  EXPECT_EQ(count(store, "pets"), 0);
}

TEST_F(DatastoreTest, CommittedWritesSurviveReopening) {
  {
    mw::Datastore store(db_path(), steps());
    store.write([](SQLite::Database& db) { db.exec("INSERT INTO people (name) VALUES ('ann')"); });
  }
  mw::Datastore again(db_path(), steps());
  EXPECT_EQ(count(again, "people"), 1);
}

TEST_F(DatastoreTest, ReaderSeesCommittedStateOnly) {
  mw::Datastore store(db_path(), steps());
  store.write([&](SQLite::Database& db) {
    db.exec("INSERT INTO people (name) VALUES ('ann')");
    EXPECT_EQ(count(store, "people"), 0);  // not committed yet: the reader does not see it
  });
  EXPECT_EQ(count(store, "people"), 1);
}

TEST_F(DatastoreTest, WriteReturnsOnlyOnceItsCommitIsOnDisk) {
  mw::Datastore store(db_path(), steps());
  for (int i = 0; i < 3; ++i) {
    store.write(
        [&](SQLite::Database& db) { db.exec("INSERT INTO people (name) VALUES ('p" + std::to_string(i) + "')"); });
    auto d = store.durability();
    EXPECT_EQ(d.synced, d.commits) << "write " << i << " returned before its fsync";
  }
}

TEST_F(DatastoreTest, WritesInOneScopeCommitAtOnceAndShareOneFsync) {
  mw::Datastore store(db_path(), steps());
  const auto before = store.durability();
  {
    mw::DurabilityScope scope;
    for (const char* name : {"ann", "bob", "cid"})
      store.write(
          [&](SQLite::Database& db) { db.exec(std::string("INSERT INTO people (name) VALUES ('") + name + "')"); });
    EXPECT_EQ(count(store, "people"), 3);  // committed: readers see them before the fsync
    auto pending = store.durability();
    EXPECT_EQ(pending.commits, before.commits + 3);
    EXPECT_EQ(pending.synced, before.synced);
    EXPECT_EQ(pending.fsyncs, before.fsyncs);
    scope.wait();
    auto after = store.durability();
    EXPECT_EQ(after.synced, after.commits);
    EXPECT_EQ(after.fsyncs, before.fsyncs + 1);
  }
}

TEST_F(DatastoreTest, ScopeInsideAScopeLeavesTheWaitToTheOuterOne) {
  mw::Datastore store(db_path(), steps());
  mw::DurabilityScope outer;
  {
    mw::DurabilityScope inner;
    store.write([](SQLite::Database& db) { db.exec("INSERT INTO people (name) VALUES ('ann')"); });
    inner.wait();
  }
  EXPECT_LT(store.durability().synced, store.durability().commits);
  outer.wait();
  EXPECT_EQ(store.durability().synced, store.durability().commits);
}

TEST_F(DatastoreTest, ScopeClosedWithoutWaitStillWaits) {
  mw::Datastore store(db_path(), steps());
  {
    mw::DurabilityScope scope;
    store.write([](SQLite::Database& db) { db.exec("INSERT INTO people (name) VALUES ('ann')"); });
  }
  EXPECT_EQ(store.durability().synced, store.durability().commits);
}

// A constraint violation in a group fails that write alone: the others of the group are kept,
// nothing of the failing one is.
TEST_F(DatastoreTest, FailingWriteInAGroupFailsAloneAndKeepsNothing) {
  {
    mw::Datastore store(db_path(), steps());
    mw::DurabilityScope scope;
    store.write([](SQLite::Database& db) { db.exec("INSERT INTO people (id, name) VALUES (1, 'ann')"); });
    EXPECT_THROW(store.write([](SQLite::Database& db) {
      db.exec("INSERT INTO people (id, name) VALUES (2, 'bob')");
      db.exec("INSERT INTO people (id, name) VALUES (3, 'ann')");  // unique name
    }),
                 SQLite::Exception);
    store.write([](SQLite::Database& db) { db.exec("INSERT INTO people (id, name) VALUES (4, 'cid')"); });
    scope.wait();
  }
  mw::Datastore again(db_path(), steps());
  const auto names = mw::test::people_names(again);
  EXPECT_EQ(names, (std::vector<std::string>{"ann", "cid"}));
}

// Writers on many threads, each answered (scope waited) only once its own commit is on disk;
// concurrent commits share fsyncs rather than each taking its own.
TEST_F(DatastoreTest, ConcurrentWritersAreEachDurableWhenAnswered) {
  mw::Datastore store(db_path(), steps());
  constexpr int kThreads = 8, kWrites = 25;
  std::atomic<int> early{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t)
    threads.emplace_back([&, t] {
      for (int i = 0; i < kWrites; ++i) {
        mw::DurabilityScope scope;
        std::uint64_t mine = 0;
        store.write([&](SQLite::Database& db) {
          db.exec("INSERT INTO people (name) VALUES ('t" + std::to_string(t) + "_" + std::to_string(i) + "')");
          mine = store.durability().commits + 1;  // writes are serialised: this one commits next
        });
        scope.wait();
        if (store.durability().synced < mine) ++early;
      }
    });
  for (auto& t : threads) t.join();
  EXPECT_EQ(early, 0);
  EXPECT_EQ(count(store, "people"), kThreads * kWrites);
  auto d = store.durability();
  EXPECT_EQ(d.synced, d.commits);
  EXPECT_LE(d.fsyncs, d.commits);
}

}  // namespace
