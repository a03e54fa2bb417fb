// The vm plugin's own migrations: from an empty database and from each earlier version.
#include <gtest/gtest.h>

#include <SQLiteCpp/SQLiteCpp.h>

#include <filesystem>
#include <middlewared/datastore.hpp>
#include "embedded_migrations.hpp"

namespace {
namespace fs = std::filesystem;

class VmMigrationsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    path = fs::temp_directory_path() /
           ("mw_vm_mig_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name()) /
           "vm.sqlite";
    fs::remove_all(path.parent_path());
  }
  void TearDown() override { fs::remove_all(path.parent_path()); }
  fs::path path;
};

TEST_F(VmMigrationsTest, FilesFormAGapFreeSequence) {
  auto all = mw::migrations_from_files(mw::vm::migrations::embedded_files());
  ASSERT_GE(all.size(), 2u);
  EXPECT_EQ(all.front().name, "initial");
}

TEST_F(VmMigrationsTest, FromEachEarlierVersionKeepingRows) {
  auto all = mw::migrations_from_files(mw::vm::migrations::embedded_files());
  for (std::size_t from = 0; from <= all.size(); ++from) {
    fs::remove_all(path.parent_path());
    {
      mw::Datastore old(path, std::vector<mw::Migration>(all.begin(), all.begin() + static_cast<long>(from)));
      if (from >= 1)
        old.write([](SQLite::Database& db) {
          db.exec("INSERT INTO vm_vm (name, memory) VALUES ('kept', 512)");
          db.exec("INSERT INTO vm_device (vm_id, attributes, \"order\") VALUES (1, '{\"dtype\":\"NIC\"}', 1002)");
        });
    }
    mw::Datastore store(path, all);
    EXPECT_EQ(store.schema_version(), static_cast<int>(all.size()));
    int vms = -1, devices = -1, indexes = -1;
    store.read([&](SQLite::Database& db) {
      vms = db.execAndGet("SELECT count(*) FROM vm_vm").getInt();
      devices = db.execAndGet("SELECT count(*) FROM vm_device").getInt();
      indexes =
          db.execAndGet(
                "SELECT count(*) FROM sqlite_master WHERE type = 'index' AND name IN ('vm_vm_name', 'vm_device_vm_id')")
              .getInt();
    });
    EXPECT_EQ(vms, from >= 1 ? 1 : 0) << "from " << from;
    EXPECT_EQ(devices, from >= 1 ? 1 : 0) << "from " << from;
    EXPECT_EQ(indexes, 2) << "from " << from;
    // Deleting a VM takes its devices (ON DELETE CASCADE with foreign_keys on).
    store.write([](SQLite::Database& db) { db.exec("DELETE FROM vm_vm"); });
    store.read([&](SQLite::Database& db) { devices = db.execAndGet("SELECT count(*) FROM vm_device").getInt(); });
    EXPECT_EQ(devices, 0);
  }
}

TEST_F(VmMigrationsTest, NamesAreUniqueInTheDatabaseToo) {
  mw::Datastore store(path, mw::migrations_from_files(mw::vm::migrations::embedded_files()));
  store.write([](SQLite::Database& db) { db.exec("INSERT INTO vm_vm (name, memory) VALUES ('a', 512)"); });
  EXPECT_THROW(store.write([](SQLite::Database& db) { db.exec("INSERT INTO vm_vm (name, memory) VALUES ('a', 512)"); }),
               SQLite::Exception);
}

}  // namespace
