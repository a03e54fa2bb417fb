// vm.create's shared transactions (Datastore::write_shared): creates queued together validate
// against each other (one name, one VM), and a transaction whose COMMIT fails leaves neither the
// database nor the catalog changed and publishes nothing.
#include <SQLiteCpp/SQLiteCpp.h>

#include <chrono>
#include <mutex>
#include <thread>

#include "plugin_fixture.hpp"

namespace mw::vm::testing {
namespace {

using ::testing::ElementsAre;

class VmSharedCreateTest : public VmPluginTest {
 protected:
  struct Outcome {
    std::optional<int64_t> id;
    std::vector<ErrorTriple> errors;
    std::string failure;  // any other exception
  };
  // Each body's vm.create on a thread of its own, queued in this order while the plugin's shared
  // writes are held, then run together: one transaction.
  std::vector<Outcome> create_together(const std::vector<std::string>& bodies) {
    std::vector<Outcome> out(bodies.size());
    std::vector<std::thread> threads;
    auto store = ctx->datastore("vm");
    {
      auto held = store->hold_shared_writes();
      for (std::size_t i = 0; i < bodies.size(); ++i) {
        threads.emplace_back([&, i] {
          try {
            out[i].errors =
                errors_of([&] { out[i].id = call("vm.create", {js(bodies[i])}).as_object().at("id").as_int64(); });
          } catch (const std::exception& e) {
            out[i].failure = e.what();
          }
        });
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
        while (store->durability().queued < i + 1 && std::chrono::steady_clock::now() < deadline)
          std::this_thread::sleep_for(std::chrono::milliseconds(1));
        EXPECT_EQ(store->durability().queued, i + 1);
      }
    }
    for (auto& t : threads) t.join();
    return out;
  }
  int stored_vms() {
    SQLite::Database db((state_dir / "db" / "vm.sqlite").string(), SQLite::OPEN_READONLY);
    return db.execAndGet("SELECT count(*) FROM vm_vm").getInt();
  }
};

TEST_F(VmSharedCreateTest, SameNameTwiceInOneTransactionGivesTheSecondAlreadyExists) {
  const auto before = ctx->datastore("vm")->durability();
  ctx->bus.take();
  // The last write of the transaction fails: the two before it still enter the catalog.
  auto outcomes = create_together({R"({"name": "twin", "memory": 256})", R"({"name": "twin", "memory": 512})",
                                   R"({"name": "other", "memory": 256})", R"({"name": "twin", "memory": 256})"});
  ASSERT_TRUE(outcomes[0].id) << outcomes[0].failure;
  EXPECT_THAT(outcomes[1].errors, ElementsAre(err("vm_create.name", "This name already exists.", EEXIST)));
  ASSERT_TRUE(outcomes[2].id) << outcomes[2].failure;
  EXPECT_THAT(outcomes[3].errors, ElementsAre(err("vm_create.name", "This name already exists.", EEXIST)));
  EXPECT_EQ(outcomes[1].failure + outcomes[3].failure, "");
  const auto after = ctx->datastore("vm")->durability();
  EXPECT_EQ(after.commits, before.commits + 1);
  EXPECT_EQ(after.writes, before.writes + 2);
  EXPECT_EQ(call("vm.query", {js(R"([["name", "=", "twin"]])"), js(R"({"get": true})")}).as_object().at("memory"), 256);
  EXPECT_EQ(stored_vms(), 2);
  std::vector<std::pair<std::string, json::value>> added;
  for (const auto& e : ctx->bus.take()) added.emplace_back(e.collection, e.id);
  EXPECT_THAT(added, ElementsAre(std::pair<std::string, json::value>{"vm.query", *outcomes[0].id},
                                 std::pair<std::string, json::value>{"vm.query", *outcomes[2].id}));
}

TEST_F(VmSharedCreateTest, AFailedCommitLeavesDatabaseAndCatalogUnchangedAndPublishesNothing) {
  create_vm("kept");
  // Fault injected in the schema: a VM named "doomed" adds a row whose foreign key is only
  // checked at COMMIT, which then fails.
  {
    SQLite::Database db((state_dir / "db" / "vm.sqlite").string(), SQLite::OPEN_READWRITE);
    db.exec(
        "CREATE TABLE doom (vm INTEGER REFERENCES vm_vm(id) DEFERRABLE INITIALLY DEFERRED);"
        "CREATE TRIGGER doom_on_insert AFTER INSERT ON vm_vm WHEN NEW.name = 'doomed' "
        "BEGIN INSERT INTO doom VALUES (-1); END;");
  }
  ctx->bus.take();
  const auto before = ctx->datastore("vm")->durability();
  auto outcomes = create_together({R"({"name": "first", "memory": 256})", R"({"name": "doomed", "memory": 256})",
                                   R"({"name": "last", "memory": 256})"});
  for (const auto& o : outcomes) {
    EXPECT_FALSE(o.id);
    EXPECT_NE(o.failure.find("FOREIGN KEY constraint failed"), std::string::npos) << o.failure;
  }
  EXPECT_EQ(ctx->datastore("vm")->durability().commits, before.commits);
  EXPECT_EQ(stored_vms(), 1);
  EXPECT_EQ(call("vm.query", {js("[]"), js(R"({"select": ["name"]})")}), js(R"([{"name": "kept"}])"));
  EXPECT_TRUE(ctx->bus.take().empty());
  // Nothing of the failed transaction is left behind: its names are free again.
  EXPECT_GT(create_vm("first"), 0);
  EXPECT_GT(create_vm("last"), 0);
}

}  // namespace
}  // namespace mw::vm::testing
