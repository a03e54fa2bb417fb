#include "audit/audit_log.hpp"

#include <gtest/gtest.h>

#include <SQLiteCpp/SQLiteCpp.h>
#include <spdlog/sinks/null_sink.h>
#include <spdlog/spdlog.h>

#include <thread>

#include "app/api_docs.hpp"

namespace mw::audit {
namespace {

class AuditLogTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store = std::make_shared<Datastore>(dir.path() / "audit.sqlite", AuditLog::migrations());
    log = std::make_unique<AuditLog>(
        store, settings, std::make_shared<spdlog::logger>("t", std::make_shared<spdlog::sinks::null_sink_mt>()));
    log->set_audited({{"vm.create", {false}}, {"auth.login", {false, true}}});
    admin.type = "API_KEY";
    admin.username = "alice";
    admin.roles = {kFullAdmin};
    peer.transport = PeerInfo::Transport::Tcp;
    peer.remote_address = "127.0.0.1";
    peer.remote_port = 4242;
  }

  rpc::CallRecord call(std::string_view method, const json::array* params,
                       rpc::CallOutcome outcome = rpc::CallOutcome::Success) {
    rpc::CallRecord r;
    r.method = method;
    r.credentials = &admin;
    r.peer = &peer;
    r.params = params;
    r.outcome = outcome;
    r.duration = std::chrono::microseconds(1500);
    return r;
  }

  json::array all() { return log->query({}, {}).as_array(); }

  app::ScratchDir dir;
  AuditSettings settings;
  std::shared_ptr<Datastore> store;
  std::unique_ptr<AuditLog> log;
  Credentials admin;
  PeerInfo peer;
};

TEST_F(AuditLogTest, RecordsWhoWhatFromWhereWithSecretsRedacted) {
  json::array params{json::object{{"name", "vm1"}, {"password", "s3cret"}}};
  log->on_call(call("vm.create", &params));
  auto rows = all();
  ASSERT_EQ(rows.size(), 1u);
  auto& e = rows[0].as_object();
  EXPECT_EQ(e.at("username"), "alice");
  EXPECT_EQ(e.at("credentials"), "API_KEY");
  EXPECT_EQ(e.at("address"), json::value(peer.origin()));
  EXPECT_EQ(e.at("method"), "vm.create");
  EXPECT_EQ(e.at("params"), (json::array{json::object{{"name", "vm1"}, {"password", "********"}}}));
  EXPECT_EQ(e.at("success"), true);
  EXPECT_EQ(e.at("outcome"), "success");
  EXPECT_TRUE(e.at("error").is_null());
  EXPECT_DOUBLE_EQ(e.at("duration_ms").as_double(), 1.5);
  EXPECT_TRUE(e.at("timestamp").as_object().at("$date").is_int64());
}

TEST_F(AuditLogTest, RecordsPluginEventsWithTheUserNameEscaped) {
  AuditEvent event;
  event.method = "auth.login_ex";
  event.username = "bob\nroot";
  event.credentials = "PASSWORD_PLAIN";
  event.peer = &peer;
  event.params = {{"mechanism", "PASSWORD_PLAIN"}, {"username", "bob\nroot"}, {"password", "s3cret"}};
  event.success = false;
  event.error = "AUTH_ERR";
  log->record(event);
  auto rows = all();
  ASSERT_EQ(rows.size(), 1u);
  auto& e = rows[0].as_object();
  EXPECT_EQ(e.at("username"), "bob\\nroot");
  EXPECT_EQ(e.at("credentials"), "PASSWORD_PLAIN");
  EXPECT_EQ(e.at("address"), json::value(peer.origin()));
  EXPECT_EQ(e.at("method"), "auth.login_ex");
  EXPECT_EQ(e.at("params").at(0).at("password"), "********") << "masked again, whatever the plugin sent";
  EXPECT_EQ(e.at("success"), false);
  EXPECT_EQ(e.at("error"), "AUTH_ERR");
}

TEST_F(AuditLogTest, SkipsUnauthenticatedUnknownAndNonAuditedCalls) {
  json::array params;
  auto anonymous = call("vm.create", &params);
  anonymous.credentials = nullptr;
  log->on_call(anonymous);
  log->on_call(call("vm.query", &params));
  log->on_call(call("vm.create", &params, rpc::CallOutcome::UnknownMethod));
  EXPECT_TRUE(all().empty());
}

TEST_F(AuditLogTest, RecordsRefusalsAndErrorsWithTheirReason) {
  json::array params{json::object{{"name", "x"}}};
  auto refused = call("vm.create", nullptr, rpc::CallOutcome::Refused);
  refused.error_reason = "[EACCES] Not authorized";
  log->on_call(refused);
  auto failed = call("vm.create", &params, rpc::CallOutcome::Error);
  failed.error_reason = "[EINVAL] vm_create.memory: Field required";
  log->on_call(failed);
  auto rows = all();
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].at("outcome"), "refused");
  EXPECT_TRUE(rows[0].at("params").is_null());
  EXPECT_EQ(rows[0].at("error"), "[EACCES] Not authorized");
  EXPECT_EQ(rows[1].at("success"), false);
  EXPECT_EQ(rows[1].at("error"), "[EINVAL] vm_create.memory: Field required");
}

// Rows are written several to an INSERT: in a batch larger than one statement's rows (and not a
// multiple of it), each row keeps its own values and the order the calls came in.
TEST_F(AuditLogTest, ALargeBatchKeepsEveryRowsValuesInOrder) {
  log.reset();
  settings.flush_interval = std::chrono::milliseconds(5000);  // one batch, written by the flush
  log = std::make_unique<AuditLog>(store, settings, spdlog::default_logger());
  log->set_audited({{"vm.create", {false}}, {"auth.login", {false, true}}});
  constexpr int kCalls = 37;
  std::vector<json::array> params(kCalls);
  for (int i = 0; i < kCalls; ++i) {
    params[i] = i % 3 == 2 ? json::array{"user" + std::to_string(i), "pw"}
                           : json::array{json::object{{"name", "vm" + std::to_string(i)}}};
    auto r = call(i % 3 == 2 ? "auth.login" : "vm.create", i % 5 == 4 ? nullptr : &params[i],
                  i % 5 == 4 ? rpc::CallOutcome::Refused
                  : i % 2    ? rpc::CallOutcome::Error
                             : rpc::CallOutcome::Success);
    if (r.outcome != rpc::CallOutcome::Success) r.error_reason = "reason " + std::to_string(i);
    if (i % 7 == 0) r.job_id = i + 100;
    log->on_call(r);
  }
  auto rows = all();
  ASSERT_EQ(rows.size(), static_cast<std::size_t>(kCalls));
  for (int i = 0; i < kCalls; ++i) {
    const auto& e = rows[i].as_object();
    SCOPED_TRACE(i);
    EXPECT_EQ(e.at("id"), i + 1);
    EXPECT_EQ(e.at("method"), i % 3 == 2 ? "auth.login" : "vm.create");
    if (i % 5 == 4) {
      EXPECT_EQ(e.at("outcome"), "refused");
      EXPECT_TRUE(e.at("params").is_null());
    } else {
      EXPECT_EQ(e.at("outcome"), i % 2 ? "error" : "success");
      EXPECT_EQ(e.at("params"),
                i % 3 == 2 ? json::value(json::array{"user" + std::to_string(i), "********"}) : json::value(params[i]));
    }
    EXPECT_EQ(e.at("error"),
              e.at("outcome") == "success" ? json::value(nullptr) : json::value("reason " + std::to_string(i)));
    EXPECT_EQ(e.at("job_id"), i % 7 == 0 ? json::value(i + 100) : json::value(nullptr));
    EXPECT_EQ(e.at("username"), "alice");
  }
}

TEST_F(AuditLogTest, RedactsPositionalSecrets) {
  json::array params{"alice", "pw"};
  log->on_call(call("auth.login", &params));
  EXPECT_EQ(all()[0].at("params"), (json::array{"alice", "********"}));
}

TEST_F(AuditLogTest, QueryAppliesFiltersAndOptions) {
  json::array params;
  for (int i = 0; i < 5; ++i)
    log->on_call(call("vm.create", &params, i % 2 ? rpc::CallOutcome::Error : rpc::CallOutcome::Success));
  EXPECT_EQ(log->query(json::array{json::array{"success", "=", false}}, json::object{{"count", true}}), 2);
  auto last = log->query({}, json::object{{"order_by", json::array{"-id"}}, {"get", true}});
  EXPECT_EQ(last.at("id"), 5);
}

TEST_F(AuditLogTest, KeepsOnlyTheNewestMaxRows) {
  log.reset();
  settings.max_rows = 3;
  log = std::make_unique<AuditLog>(store, settings, spdlog::default_logger());
  log->set_audited({{"vm.create", {}}});
  json::array params;
  for (int i = 0; i < 7; ++i) log->on_call(call("vm.create", &params));
  auto rows = all();
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[0].at("id"), 5);
}

TEST_F(AuditLogTest, CallsFromManyThreadsAreAllWritten) {
  json::array params{json::object{{"name", "n"}}};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&] {
      for (int i = 0; i < 500; ++i) log->on_call(call("vm.create", &params));
    });
  for (auto& t : threads) t.join();
  EXPECT_EQ(log->query({}, json::object{{"count", true}}), 2000);
  EXPECT_EQ(log->dropped(), 0u);
}

TEST_F(AuditLogTest, ReportsTheStoreUnwritableWhileAnotherWriterHoldsItAndRecovers) {
  EXPECT_TRUE(log->write_status().ok);
  settings.probe_interval = std::chrono::milliseconds(10);
  log.reset();
  log = std::make_unique<AuditLog>(store, settings, spdlog::default_logger());
  {
    SQLite::Database other((dir.path() / "audit.sqlite").string(), SQLite::OPEN_READWRITE);
    other.exec("BEGIN EXCLUSIVE");
    // The probe waits out the store's busy timeout (5 s) before it gives up.
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(15);
    while (log->write_status().ok && std::chrono::steady_clock::now() < deadline)
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    EXPECT_FALSE(log->write_status().ok);
    EXPECT_NE(log->write_status().error.find("locked"), std::string::npos) << log->write_status().error;
    other.exec("ROLLBACK");
  }
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(15);
  while (!log->write_status().ok && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  EXPECT_TRUE(log->write_status().ok);
}

// A database written before the outcome's CHECK was rewritten keeps its rows and ids, and the ids
// go on after the highest ever given (AUTOINCREMENT), also past rows retention deleted.
TEST(AuditLogMigration, KeepsRowsIdsAndTheRuleOnOutcomes) {
  app::ScratchDir dir;
  const auto path = dir.path() / "old.sqlite";
  auto all = AuditLog::migrations();
  {
    Datastore old(path, {all.front()});
    old.write([](SQLite::Database& db) {
      db.exec(
          "INSERT INTO audit_log (timestamp_ms, username, credentials, address, method, params, outcome, error, "
          "job_id, duration_ms) VALUES (1000, 'alice', 'API_KEY', '127.0.0.1:4242', 'vm.create', '[{\"name\":\"a\"}]', "
          "'success', NULL, NULL, 1.5), (2000, 'bob', 'UNIX_SOCKET', 'UNIX_SOCKET', 'vm.delete', '[7]', 'error', "
          "'[ENOENT] gone', 12, 2.5), (3000, 'eve', 'API_KEY', '10.0.0.1:1', 'vm.start', NULL, 'refused', 'no', NULL, "
          "0)");
      db.exec("DELETE FROM audit_log WHERE id = 3");
    });
  }
  Datastore store(path, all);
  EXPECT_EQ(store.schema_version(), static_cast<int>(all.size()));
  std::vector<std::string> rows;
  store.read([&](SQLite::Database& db) {
    SQLite::Statement q(db,
                        "SELECT id || '|' || timestamp_ms || '|' || username || '|' || credentials || '|' || address "
                        "|| '|' || method || '|' || ifnull(params, 'NULL') || '|' || outcome || '|' || "
                        "ifnull(error, 'NULL') || '|' || ifnull(job_id, 'NULL') || '|' || duration_ms "
                        "FROM audit_log ORDER BY id");
    while (q.executeStep()) rows.push_back(q.getColumn(0).getString());
  });
  EXPECT_EQ(rows, (std::vector<std::string>{
                      "1|1000|alice|API_KEY|127.0.0.1:4242|vm.create|[{\"name\":\"a\"}]|success|NULL|NULL|1.5",
                      "2|2000|bob|UNIX_SOCKET|UNIX_SOCKET|vm.delete|[7]|error|[ENOENT] gone|12|2.5"}));
  auto insert = [&](const char* outcome) {
    store.write([&](SQLite::Database& db) {
      SQLite::Statement st(db,
                           "INSERT INTO audit_log (timestamp_ms, username, credentials, address, method, outcome, "
                           "duration_ms) VALUES (4000, 'alice', 'API_KEY', 'x', 'vm.create', ?, 1)");
      st.bind(1, outcome);
      st.exec();
    });
  };
  insert("error");
  EXPECT_THROW(insert("maybe"), SQLite::Exception);
  EXPECT_THROW(insert("Success"), SQLite::Exception);
  store.read([&](SQLite::Database& db) {
    EXPECT_EQ(db.execAndGet("SELECT max(id) FROM audit_log").getInt(), 4);  // 3 was given before
    EXPECT_EQ(db.execAndGet("SELECT count(*) FROM audit_log").getInt(), 3);
    EXPECT_EQ(db.execAndGet("SELECT count(*) FROM sqlite_schema WHERE name = 'audit_log_method'").getInt(), 1);
    EXPECT_EQ(db.execAndGet("SELECT count(*) FROM sqlite_schema WHERE name = 'audit_log_new'").getInt(), 0);
  });
}

}  // namespace
}  // namespace mw::audit
