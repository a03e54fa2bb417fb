#include <gtest/gtest.h>

#include <middlewared/datastore.hpp>

namespace {

TEST(MigrationsFromFiles, OrdersByNumberAndTakesTheDescription) {
  std::vector<mw::EmbeddedFile> files = {{"0002_indexes.sql", "B"}, {"0001_initial.sql", "A"}};
  auto m = mw::migrations_from_files(files);
  ASSERT_EQ(m.size(), 2u);
  EXPECT_EQ(m[0].version, 1);
  EXPECT_EQ(m[0].name, "initial");
  EXPECT_EQ(m[0].sql, "A");
  EXPECT_EQ(m[1].version, 2);
  EXPECT_EQ(m[1].name, "indexes");
}

TEST(MigrationsFromFiles, IgnoresFoldersInThePath) {
  auto m = mw::migrations_from_files({{"sql/0001_first_step.sql", "X"}});
  ASSERT_EQ(m.size(), 1u);
  EXPECT_EQ(m[0].name, "first_step");
}

TEST(MigrationsFromFiles, RejectsANameWithoutNumber) {
  EXPECT_THROW(mw::migrations_from_files({{"initial.sql", ""}}), std::runtime_error);
  EXPECT_THROW(mw::migrations_from_files({{"0001initial.sql", ""}}), std::runtime_error);
  EXPECT_THROW(mw::migrations_from_files({{"0001_initial.txt", ""}}), std::runtime_error);
}

TEST(MigrationsFromFiles, RejectsDuplicateVersions) {
  try {
    mw::migrations_from_files({{"0001_a.sql", ""}, {"0001_b.sql", ""}});
    FAIL() << "no exception";
  } catch (const std::runtime_error& e) {
    EXPECT_STREQ(e.what(), "duplicate migration version 1");
  }
}

TEST(MigrationsFromFiles, RejectsAGap) {
  try {
    mw::migrations_from_files({{"0001_a.sql", ""}, {"0003_c.sql", ""}});
    FAIL() << "no exception";
  } catch (const std::runtime_error& e) {
    EXPECT_STREQ(e.what(), "missing migration version 2");
  }
}

}  // namespace
