// The audit log on the real daemon: state-changing calls are recorded with their
// caller and redacted params, reads are not, and the secret never reaches the database file.
#include <gtest/gtest.h>

#include <boost/json/serialize.hpp>

#include <fstream>

#include "support/daemon_process.hpp"
#include "support/rpc_client.hpp"
#include "support/shared_daemon_test.hpp"

namespace mw::test {
namespace {

namespace json = boost::json;

class AuditTest : public SharedDaemonTest {
 protected:
  static json::array audit(RpcClient& c, json::array filters) {
    return c
        .call("audit.query", {json::object{{"query-filters", std::move(filters)},
                                           {"query-options", json::object{{"order_by", json::array{"id"}}}}}})
        .as_array();
  }
};

TEST_F(AuditTest, RecordsStateChangesWithRedactedSecretsAndSkipsReads) {
  auto c = root();
  auto vm = c.call("vm.create", {json::object{{"name", "auditvm"}, {"memory", 256}}});
  auto id = vm.at("id").as_int64();
  c.call("vm.device.create",
         {json::object{
             {"vm", id},
             {"attributes", json::object{{"dtype", "DISPLAY"}, {"type", "SPICE"}, {"password", "Zebra-Quartz-77"}}}}});
  c.call("vm.query");
  c.call("vm.device.query");

  auto created = audit(c, {json::array{"method", "=", "vm.create"}});
  ASSERT_EQ(created.size(), 1u);
  EXPECT_EQ(created[0].at("username"), "root");
  EXPECT_EQ(created[0].at("credentials"), "UNIX_SOCKET");
  EXPECT_EQ(created[0].at("success"), true);
  EXPECT_EQ(created[0].at("params"), (json::array{json::object{{"name", "auditvm"}, {"memory", 256}}}));

  auto device = audit(c, {json::array{"method", "=", "vm.device.create"}});
  ASSERT_EQ(device.size(), 1u);
  EXPECT_EQ(device[0].at("params").at(0).at("attributes").at("password"), "********");

  EXPECT_EQ(audit(c, {json::array{"method", "in", json::array{"vm.query", "vm.device.query", "audit.query"}}}).size(),
            0u);

  std::ifstream db(daemon->state_dir() / "db" / "audit.sqlite", std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(db)), {});
  std::ifstream wal(daemon->state_dir() / "db" / "audit.sqlite-wal", std::ios::binary);
  bytes.append((std::istreambuf_iterator<char>(wal)), {});
  EXPECT_NE(bytes.find("auditvm"), std::string::npos) << "the entries are in this file";
  EXPECT_EQ(bytes.find("Zebra-Quartz-77"), std::string::npos) << "the secret is not";
  c.call("vm.delete", {json::value(id)});
}

TEST_F(AuditTest, RecordsFailedCallsWithTheirError) {
  auto c = root();
  EXPECT_THROW(c.call("vm.create", {json::object{{"name", "no memory given"}}}), RpcError);
  auto failed = audit(c, {json::array{"method", "=", "vm.create"}, json::array{"success", "=", false}});
  ASSERT_FALSE(failed.empty());
  EXPECT_EQ(failed.back().at("outcome"), "error");
  EXPECT_TRUE(failed.back().at("error").is_string());
}

TEST_F(AuditTest, RecordsJobMethodsWithTheirJobId) {
  auto c = root();
  auto job = c.call("test.fail_job", {json::value(5)});
  auto entries = audit(c, {json::array{"method", "=", "test.fail_job"}});
  ASSERT_EQ(entries.size(), 1u);
  EXPECT_EQ(entries[0].at("job_id"), job);
}

TEST_F(AuditTest, JobArgumentsAreRedactedInTheLogAndInCoreGetJobs) {
  auto c = root();
  json::object secret_args{{"name", "visible"}, {"password", "Quartz-Owl-41"}, {"api_key", "5-abcdef"}};
  auto job = c.call("test.job_noop", {secret_args});
  c.call("core.job_wait", {job});
  auto entries = audit(c, {json::array{"job_id", "=", job}});
  ASSERT_EQ(entries.size(), 1u);
  json::array redacted{json::object{{"name", "visible"}, {"password", "********"}, {"api_key", "********"}}};
  EXPECT_EQ(entries[0].at("params"), redacted);
  auto listed = c.call("core.get_jobs", {json::array{json::array{"id", "=", job}}, json::object{{"get", true}}});
  EXPECT_EQ(listed.at("arguments"), redacted);
  EXPECT_EQ(json::serialize(listed).find("Quartz-Owl-41"), std::string::npos);
}

TEST_F(AuditTest, EntriesSurviveARestart) {
  auto c = root();
  c.call("auth.generate_token", {json::value(60)});
  const json::object count{{"query-options", json::object{{"count", true}}}};
  auto before = c.call("audit.query", {count}).as_int64();
  daemon->restart();
  auto again = root();
  EXPECT_EQ(again.call("audit.query", {count}).as_int64(), before);
}

// TrueNAS's own test helpers call audit.query with one object and read event / event_data /
// service_data of each entry.
TEST_F(AuditTest, QueryTakesOneObjectAndAnswersWithTrueNasFields) {
  auto c = root();
  auto vm = c.call("vm.create", {json::object{{"name", "audit_tn"}, {"memory", 256}}});
  auto entry =
      c.call("audit.query",
             {json::object{{"services", json::array{"MIDDLEWARE"}},
                           {"query-filters", json::array{json::array{"event_data.method", "=", "vm.create"},
                                                         json::array{"event_data.params.0.name", "=", "audit_tn"}}},
                           {"query-options", json::object{{"get", true}}}}})
          .as_object();
  EXPECT_EQ(entry.at("service"), "MIDDLEWARE");
  EXPECT_EQ(entry.at("event"), "METHOD_CALL");
  EXPECT_EQ(entry.at("event_data").at("authenticated"), true);
  EXPECT_EQ(entry.at("event_data").at("authorized"), true);
  EXPECT_EQ(entry.at("service_data").at("credentials").at("credentials"), "UNIX_SOCKET");
  EXPECT_EQ(entry.at("service_data").at("credentials").at("credentials_data").at("username"), "root");
  EXPECT_TRUE(entry.at("message_timestamp").is_int64());
  EXPECT_TRUE(entry.at("timestamp").at("$date").is_int64());
  EXPECT_EQ(entry.at("success"), true);

  // Only API calls are recorded here: another service has no entries.
  EXPECT_EQ(c.call("audit.query",
                   {json::object{{"services", json::array{"SMB"}}, {"query-options", json::object{{"count", true}}}}}),
            json::value(0));
  // The filters-list form is not TrueNAS's: the error names the argument as TrueNAS does.
  try {
    c.call("audit.query", {json::array{}});
    ADD_FAILURE() << "a list was accepted";
  } catch (const RpcError& e) {
    EXPECT_EQ(e.code, -32602);
    EXPECT_EQ(e.data.at("extra").at(0).at(0), "data") << e.reason();
  }
  c.call("vm.delete", {vm.at("id")});
}

}  // namespace
}  // namespace mw::test
