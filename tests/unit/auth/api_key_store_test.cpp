#include <gtest/gtest.h>

#include <SQLiteCpp/SQLiteCpp.h>

#include <filesystem>

#include <boost/json/serialize.hpp>

#include "auth/api_key_service.hpp"
#include "auth/api_key_store.hpp"
#include "auth/crypto.hpp"
#include "auth/embedded_migrations.hpp"

namespace mw::plugins::auth {
namespace {

class ApiKeyStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir = std::filesystem::temp_directory_path() / ("auth_store_test_" + util::uuid4());
    std::filesystem::create_directories(dir);
    db = std::make_shared<Datastore>(dir / "auth.sqlite", migrations_from_files(migrations::embedded_files()));
    store = std::make_unique<ApiKeyStore>(db);
  }
  void TearDown() override { std::filesystem::remove_all(dir); }

  ApiKeyRecord record(std::string name, std::string secret = "s3cr3t") {
    ApiKeyRecord r;
    r.name = std::move(name);
    r.username = "root";
    r.user_identifier = 0;
    r.secrets = scram::derive_secrets(HashAlg::Sha512, secret, random_bytes(16), 4096);
    r.created_at_ms = 1000;
    return r;
  }

  std::filesystem::path dir;
  std::shared_ptr<Datastore> db;
  std::unique_ptr<ApiKeyStore> store;
};

TEST_F(ApiKeyStoreTest, InsertedKeyReadsBackWithItsScramMaterial) {
  ApiKeyRecord r = record("ci");
  r.expires_at_ms = 5000;
  int64_t id = store->insert(r);
  auto back = store->find(id);
  ASSERT_TRUE(back.has_value());
  EXPECT_EQ(back->name, "ci");
  EXPECT_EQ(back->secrets.salt, r.secrets.salt);
  EXPECT_EQ(back->secrets.stored_key, r.secrets.stored_key);
  EXPECT_EQ(back->secrets.server_key, r.secrets.server_key);
  EXPECT_EQ(back->secrets.iterations, 4096);
  EXPECT_EQ(back->expires_at_ms, 5000);
  EXPECT_FALSE(back->revoked);
}

TEST_F(ApiKeyStoreTest, TheSecretAppearsNowhereInTheDatabase) {
  const std::string secret = "UniqueSecretMarker0123456789";
  store->insert(record("ci", secret));
  db->read([&](SQLite::Database& d) {
    SQLite::Statement q(d, "SELECT * FROM api_key");
    ASSERT_TRUE(q.executeStep());
    for (int i = 0; i < q.getColumnCount(); ++i) {
      std::string cell(static_cast<const char*>(q.getColumn(i).getBlob()), q.getColumn(i).getBytes());
      EXPECT_EQ(cell.find(secret), std::string::npos) << "column " << i;
    }
  });
}

TEST_F(ApiKeyStoreTest, NamesAreUnique) {
  store->insert(record("ci"));
  EXPECT_THROW(store->insert(record("ci")), DuplicateName);
}

TEST_F(ApiKeyStoreTest, DeletedIdsAreNotReused) {
  int64_t first = store->insert(record("a"));
  ASSERT_TRUE(store->remove(first));
  EXPECT_GT(store->insert(record("b")), first);
  EXPECT_FALSE(store->find(first).has_value());
}

TEST_F(ApiKeyStoreTest, UpdateWritesEveryField) {
  int64_t id = store->insert(record("a"));
  ApiKeyRecord r = *store->find(id);
  r.revoked = true;
  r.revoked_reason = "why";
  r.name = "b";
  ASSERT_TRUE(store->update(r));
  auto back = store->find(id);
  EXPECT_EQ(back->name, "b");
  EXPECT_TRUE(back->revoked);
  EXPECT_EQ(back->revoked_reason, "why");
  r.id = 999;
  r.name = "unused";
  EXPECT_FALSE(store->update(r));
  r.name = "b";  // taken by key `id`
  EXPECT_THROW(store->update(r), DuplicateName);
}

TEST_F(ApiKeyStoreTest, AttributesAreKeptPerUser) {
  store->set_attribute("root", "theme", json::value("dark"));
  store->set_attribute("root", "theme", json::value("light"));
  store->set_attribute("alice", "n", json::value(3));
  EXPECT_EQ(store->attributes("root"), (json::object{{"theme", "light"}}));
  EXPECT_EQ(store->attributes("alice"), (json::object{{"n", 3}}));
  EXPECT_TRUE(store->attributes("bob").empty());
}

ApiKeyRecord key_of(int64_t id, std::string name, std::string username, int64_t uid) {
  ApiKeyRecord r;
  r.id = id;
  r.name = std::move(name);
  r.username = std::move(username);
  r.user_identifier = uid;
  return r;
}

TEST(ApiKeyEntry, HasTrueNas26ShapeAndShowsNoSecret) {
  ApiKeyRecord r = key_of(4, "k", "root", 0);
  r.secrets = scram::derive_secrets(HashAlg::Sha512, "pw", "0123456789abcdef", 4096);
  r.created_at_ms = 10;
  r.expires_at_ms = 100;
  json::object e = ApiKeyService::entry(r);
  EXPECT_EQ(e.at("user_identifier"), json::value(0));
  EXPECT_EQ(e.at("iterations"), json::value(4096));
  for (const char* secret : {"salt", "stored_key", "server_key"}) EXPECT_EQ(e.at(secret), "********") << secret;
  EXPECT_EQ(e.at("expires_at"), (json::object{{"$date", 100}}));
  for (const char* gone : {"key", "client_key", "keyhash", "expired"}) EXPECT_FALSE(e.contains(gone)) << gone;
  const std::string text = json::serialize(e);
  for (const auto& bytes : {r.secrets.salt, r.secrets.stored_key, r.secrets.server_key})
    EXPECT_EQ(text.find(base64_encode(bytes)), std::string::npos);
  EXPECT_EQ(e.at("revoked"), json::value(false));
}

TEST(ApiKeyEntry, KeyOfAVanishedUserNamesNobodyAndIsRevoked) {
  json::object e = ApiKeyService::entry(key_of(5, "orphan", "gone", 4321), false);
  EXPECT_TRUE(e.at("username").is_null());
  EXPECT_EQ(e.at("user_identifier"), json::value(4321));
  EXPECT_EQ(e.at("revoked"), json::value(true));
  EXPECT_EQ(e.at("revoked_reason"), "User does not exist");
}

// A database written before keys named their user by an integer uid: the migration keeps every
// row (id, secrets, state) and the id sequence, so old keys still log in and no id is reused.
TEST(ApiKeyMigration, OldRowsKeepTheirKeysAndIdsAreNotReused) {
  auto dir = std::filesystem::temp_directory_path() / ("auth_migration_test_" + util::uuid4());
  std::filesystem::create_directories(dir);
  auto all = migrations_from_files(migrations::embedded_files());
  ASSERT_GE(all.size(), 2u);
  auto secrets = scram::derive_secrets(HashAlg::Sha512, "old-secret", "0123456789abcdef", 4096);
  {
    Datastore first(dir / "auth.sqlite", {all.front()});
    first.write([&](SQLite::Database& db) {
      for (int i = 1; i <= 3; ++i) {
        SQLite::Statement st(
            db,
            "INSERT INTO api_key (name, username, user_identifier, salt, iterations, stored_key, "
            "server_key, created_at, expires_at, revoked, revoked_reason) VALUES (?,?,?,?,?,?,?,?,?,?,?)");
        st.bind(1, "k" + std::to_string(i));
        st.bind(2, "root");
        st.bind(3, "1000");
        st.bind(4, secrets.salt.data(), static_cast<int>(secrets.salt.size()));
        st.bind(5, 4096);
        st.bind(6, secrets.stored_key.data(), static_cast<int>(secrets.stored_key.size()));
        st.bind(7, secrets.server_key.data(), static_cast<int>(secrets.server_key.size()));
        st.bind(8, 1000 + i);
        st.bind(9);
        st.bind(10, i == 2 ? 1 : 0);
        if (i == 2)
          st.bind(11, "leaked");
        else
          st.bind(11);
        st.exec();
      }
      db.exec("DELETE FROM api_key WHERE id = 3");  // the highest id is gone but stays taken
    });
  }
  auto db = std::make_shared<Datastore>(dir / "auth.sqlite", all);
  ApiKeyStore store(db);
  auto keys = store.list();
  ASSERT_EQ(keys.size(), 2u);
  EXPECT_EQ(keys[0].user_identifier, 1000);
  EXPECT_EQ(keys[0].secrets.stored_key, secrets.stored_key);
  EXPECT_EQ(keys[0].secrets.salt, secrets.salt);
  EXPECT_TRUE(keys[1].revoked);
  EXPECT_EQ(keys[1].revoked_reason, "leaked");
  ApiKeyRecord fresh = keys[0];
  fresh.name = "new";
  EXPECT_EQ(store.insert(fresh), 4);
  EXPECT_EQ(store.twofactor_window(), 0);
  store.set_twofactor_window(3);
  EXPECT_EQ(store.twofactor_window(), 3);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace mw::plugins::auth
