#include <gtest/gtest.h>

#include <SQLiteCpp/SQLiteCpp.h>

#include <filesystem>

#include "auth/api_key_service.hpp"
#include "auth/api_key_store.hpp"
#include "auth/crypto.hpp"

namespace mw::plugins::auth::migrations {
const std::vector<mw::EmbeddedFile>& embedded_files();
}

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
    r.user_identifier = "0";
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

TEST(ApiKeyEntry, ShowsNoSecretAndMarksExpiry) {
  ApiKeyRecord r;
  r.id = 4;
  r.name = "k";
  r.username = "root";
  r.user_identifier = "0";
  r.secrets = scram::derive_secrets(HashAlg::Sha512, "pw", "0123456789abcdef", 4096);
  r.created_at_ms = 10;
  r.expires_at_ms = 100;
  json::object e = ApiKeyService::entry(r, 200);
  EXPECT_EQ(e.at("expired"), json::value(true));
  EXPECT_EQ(e.at("expires_at"), (json::object{{"$date", 100}}));
  EXPECT_FALSE(e.contains("key"));
  std::string keyhash(e.at("keyhash").as_string());
  EXPECT_TRUE(keyhash.starts_with("$pbkdf2-sha512$4096$"));
  EXPECT_EQ(keyhash.find(base64_encode(r.secrets.stored_key)), std::string::npos);
  EXPECT_EQ(keyhash.find(base64_encode(r.secrets.server_key)), std::string::npos);
  EXPECT_EQ(ApiKeyService::entry(r, 50).at("expired"), json::value(false));
}

}  // namespace
}  // namespace mw::plugins::auth
