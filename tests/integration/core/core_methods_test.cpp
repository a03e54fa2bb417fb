// core.* as TrueNAS's clients use them, on the real daemon: get_methods in TrueNAS's shape,
// core.bulk, core.resize_shell's refusal, job logs (core.job_download_logs), and GET /api/boot_id.
#include <gtest/gtest.h>

#include <fstream>
#include <functional>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "support/daemon_process.hpp"
#include "support/http_get.hpp"
#include "support/rpc_client.hpp"
#include "support/shared_daemon_test.hpp"

namespace mw::test {
namespace {

namespace json = boost::json;

class CoreMethodsTest : public SharedDaemonTest {};

// True when `pred` holds for some object anywhere in `v`.
bool any_object(const json::value& v, const std::function<bool(const json::object&)>& pred) {
  if (const auto* a = v.if_array()) {
    for (const auto& e : *a)
      if (any_object(e, pred)) return true;
    return false;
  }
  const auto* o = v.if_object();
  if (!o) return false;
  if (pred(*o)) return true;
  for (const auto& m : *o)
    if (any_object(m.value(), pred)) return true;
  return false;
}

// What TrueNAS's client cannot decode: a one-key object with an extended-JSON tag and a value
// that is not of the tag's kind.
bool undecodable_ejson(const json::object& o) {
  if (o.size() != 1) return false;
  const auto& [key, value] = *o.begin();
  if (key == "$date") return !value.is_int64();
  if (key == "$set") return !value.is_array();
  if (key == "$time" || key == "$ipv4_interface" || key == "$ipv6_interface") return !value.is_string();
  return false;
}

TEST_F(CoreMethodsTest, GetMethodsGivesTrueNasKeysAndOneSchemaPerArgument) {
  auto c = root();
  auto methods = c.call("core.get_methods").as_object();
  const auto& create = methods.at("vm.create").as_object();
  for (const char* key : {"description", "cli_description", "examples", "no_auth_required", "no_authz_required",
                          "cli_private", "filterable", "filterable_schema", "pass_application", "job", "downloadable",
                          "uploadable", "check_pipes", "roles", "accepts", "returns"})
    EXPECT_TRUE(create.contains(key)) << key;
  const auto& accepts = create.at("accepts").as_array();
  ASSERT_EQ(accepts.size(), 1u);
  EXPECT_EQ(accepts[0].at("_name_"), "vm_create");
  EXPECT_EQ(accepts[0].at("_required_"), true);
  EXPECT_TRUE(accepts[0].at("properties").as_object().contains("memory"));
  EXPECT_EQ(create.at("returns").as_array().size(), 1u);

  // References into other schema files are written out: a client needs nothing else.
  const auto& query = methods.at("vm.query").as_object();
  EXPECT_EQ(query.at("filterable"), true);
  EXPECT_EQ(query.at("accepts").at(0).at("_name_"), "filters");
  EXPECT_EQ(query.at("accepts").at(0).at("_required_"), false);
  EXPECT_EQ(query.at("accepts").at(1).at("type"), "object");
  auto has_ref = [](const json::object& o) { return o.contains("$ref"); };
  for (const auto& [name, info] : methods) EXPECT_FALSE(any_object(info, has_ref)) << name;
  for (const auto& [name, info] : methods) EXPECT_FALSE(any_object(info, undecodable_ejson)) << name;

  EXPECT_EQ(methods.at("vm.log_file_download").at("downloadable"), true);
  EXPECT_EQ(methods.at("vm.stop").at("downloadable"), false);
  EXPECT_EQ(methods.at("filesystem.put").at("uploadable"), true);
  EXPECT_EQ(methods.at("vm.stop").at("uploadable"), false);
  EXPECT_EQ(methods.at("core.get_jobs").at("no_authz_required"), true);
  EXPECT_EQ(methods.at("vm.query").at("no_authz_required"), false);
}

TEST_F(CoreMethodsTest, GetMethodsOfOneServiceListsOnlyIt) {
  auto c = root();
  auto vm = c.call("core.get_methods", {"vm"}).as_object();
  EXPECT_TRUE(vm.contains("vm.create"));
  EXPECT_FALSE(vm.contains("vm.device.create")) << "vm.device is a service of its own";
  for (const auto& [name, info] : vm) EXPECT_EQ(std::string(name).rfind("vm.", 0), 0u) << name;
  EXPECT_TRUE(c.call("core.get_methods", {"vm.device", "CLI"}).as_object().contains("vm.device.create"));
  EXPECT_EQ(c.call("core.get_methods", {"nothing"}), json::object{});
}

TEST_F(CoreMethodsTest, BulkCallsEachArgumentListAndReportsEach) {
  auto c = root();
  c.call("core.set_options", {json::object{{"legacy_jobs", false}}});
  auto out = c.call("core.bulk", {"test.fail", json::array{json::array{16, "busy here"}, json::array{"x", "y"}},
                                  "failing with {0}: {1}"});
  ASSERT_EQ(out.as_array().size(), 2u);
  EXPECT_EQ(out.at(0), json::parse(R"({"job_id": null, "result": null, "error": "[EBUSY] busy here"})"));
  EXPECT_EQ(out.at(1).at("error"), "[EINVAL] errno: Input should be a valid integer\n");

  auto jobs = c.call("core.bulk", {"test.job_sleep", json::array{json::array{0.05}, json::array{0.05}}}).as_array();
  ASSERT_EQ(jobs.size(), 2u);
  for (const auto& j : jobs) {
    EXPECT_TRUE(j.at("job_id").is_int64()) << json::serialize(j);
    EXPECT_EQ(j.at("result"), 42);
    EXPECT_TRUE(j.at("error").is_null());
  }
  EXPECT_NE(jobs[0].at("job_id"), jobs[1].at("job_id"));

  try {
    c.call("core.bulk", {"no.such_method", json::array{json::array{}}});
    ADD_FAILURE() << "an unknown method was run";
  } catch (const RpcError& e) {
    EXPECT_EQ(e.reason(), "[ENOMETHOD] Method 'no.such_method' not found");
  }
}

TEST_F(CoreMethodsTest, ResizeShellRefusesAnUnknownShell) {
  auto c = root();
  try {
    c.call("core.resize_shell", {"no-such-shell", 80, 24});
    ADD_FAILURE() << "an unknown shell was resized";
  } catch (const RpcError& e) {
    EXPECT_EQ(e.reason(), "[ENOENT] Shell does not exist");
  }
}

// A job that writes a log keeps it (logs_path, logs_excerpt) and core.job_download_logs serves it
// once through /_download; a job without one answers as TrueNAS does.
TEST_F(CoreMethodsTest, JobLogsAreKeptAndDownloadOnce) {
  auto c = root();
  c.call("core.set_options", {json::object{{"legacy_jobs", false}}});  // a job call answers when it ends
  c.call("test.job_noop", {1});
  auto jobs = c.call("core.get_jobs", {json::array{json::array{"method", "=", "test.job_noop"}}}).as_array();
  ASSERT_FALSE(jobs.empty());
  try {
    c.call("core.job_download_logs", {jobs.back().at("id"), "noop.log"});
    ADD_FAILURE() << "a job without a log offered one";
  } catch (const RpcError& e) {
    EXPECT_EQ(e.reason(), "[EFAULT] This job has no logs");
  }
  c.call("test.job_log", {json::array{"alpha", "beta"}});
  auto logged = c.call("core.get_jobs", {json::array{json::array{"method", "=", "test.job_log"}}}).as_array().back();
  EXPECT_EQ(logged.at("logs_excerpt"), "alpha\nbeta\n");
  const std::string path(logged.at("logs_path").as_string());
  EXPECT_EQ(path.substr(path.rfind('/') + 1), std::to_string(logged.at("id").as_int64()) + ".log");
  std::string url(c.call("core.job_download_logs", {logged.at("id"), "job.log"}).as_string());
  auto r = run_http_get(daemon->tcp_port(), url);
  EXPECT_NE(r.find(" 200 "), std::string::npos) << r;
  EXPECT_NE(r.find("filename=\"job.log\""), std::string::npos) << r;
  EXPECT_NE(r.find("alpha\nbeta\n"), std::string::npos) << r;
  EXPECT_EQ(run_http_get(daemon->tcp_port(), url).find(" 200 "), std::string::npos) << "the URL serves once";
}

TEST_F(CoreMethodsTest, BootIdIsServedAsAJsonString) {
  std::string expected;
  std::ifstream("/proc/sys/kernel/random/boot_id") >> expected;
  auto r = run_http_get(daemon->tcp_port(), "/api/boot_id");
  EXPECT_NE(r.find(" 200 "), std::string::npos) << r;
  EXPECT_EQ(json::parse(r.substr(r.find("\r\n\r\n") + 4)), json::value(expected));
}

}  // namespace
}  // namespace mw::test
