// TrueNAS's own Python client, unchanged, against the real daemon: its midclt and its download
// path (core.download + /_download) as TrueNAS's tests and web UI use them.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <future>
#include <random>
#include <thread>

#include <boost/json.hpp>

#include "support/daemon_process.hpp"
#include "support/file_text.hpp"
#include "support/rpc_client.hpp"
#include "support/run_command.hpp"

namespace {

namespace json = boost::json;
namespace fs = std::filesystem;
using namespace std::chrono_literals;
using mw::test::CommandResult;
using mw::test::file_text;

class TrueNasClientTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    // An administrator with a password, for a ws:// login as TrueNAS's clients do it remotely.
    std::random_device rd;
    admin_ = "mwtn";
    for (int i = 0; i < 6; ++i) admin_ += static_cast<char>('a' + rd() % 26);
    must({"useradd", "-M", "-s", "/usr/sbin/nologin", "-G", "sudo", admin_});
    must({"chpasswd"}, admin_ + ":" + kPassword + "\n");
    mw::test::DaemonOptions options;
    options.config_text = "[vm]\nstop_vms_on_shutdown = true\n";  // no QEMU outlives the run
    daemon_ = std::make_unique<mw::test::DaemonProcess>(options);
  }
  static void TearDownTestSuite() {
    daemon_.reset();
    mw::test::run_command({"userdel", admin_});
  }
  static void must(const std::vector<std::string>& argv, const std::string& input = "") {
    auto r = mw::test::run_command(argv, input);
    if (r.exit_code != 0) throw std::runtime_error(argv[0] + " failed: " + r.err);
  }

  void TearDown() override {
    for (const auto& name : created_) midclt({"call", "vm.delete", std::to_string(vm_id(name)), R"({"force": true})"});
  }
  static int64_t vm_id(const std::string& name) {
    auto vm = call_json({"call", "vm.query", R"([["name", "=", ")" + name + R"("]])", R"({"get": true})"});
    return vm.is_object() ? vm.at("id").as_int64() : -1;
  }
  int64_t create_vm(const std::string& name, const std::string& extra = "") {
    auto vm = call_json({"call", "vm.create",
                         R"({"name": ")" + name + R"(", "memory": 64, "bootloader": "UEFI_CSM", "shutdown_timeout": 5,
                              "ensure_display_device": false)" +
                             extra + "}"});
    created_.push_back(name);
    return vm.at("id").as_int64();
  }

  static std::string unix_uri() { return "ws+unix://" + daemon_->socket_path().string(); }
  static std::string http_base() { return "http://127.0.0.1:" + std::to_string(daemon_->tcp_port()); }

  // TrueNAS's midclt over the unix socket (root, logged in by its peer credentials).
  static CommandResult midclt(std::vector<std::string> args, std::chrono::seconds timeout = std::chrono::seconds(90)) {
    std::vector<std::string> argv{MW_PYTHON3, MW_TRUENAS_DRIVER, MW_TRUENAS_CLIENT_DIR, "cli", "-u", unix_uri()};
    argv.insert(argv.end(), args.begin(), args.end());
    return mw::test::run_command(argv, "", {}, timeout);
  }
  // The printed JSON of a successful `midclt call`.
  static json::value call_json(std::vector<std::string> args) {
    auto r = midclt(std::move(args));
    EXPECT_EQ(r.exit_code, 0) << r.err;
    try {
      return json::parse(r.out);
    } catch (const std::exception&) {
      ADD_FAILURE() << "not JSON: " << r.out << r.err;
      return nullptr;
    }
  }

  static constexpr const char* kPassword = "Tn-Client-Pw-42";
  static inline std::unique_ptr<mw::test::DaemonProcess> daemon_;
  static inline std::string admin_;
  std::vector<std::string> created_;
};

// The client decodes extended JSON in every answer; a schema property named "$date" once made it
// fail on core.get_methods and hang until its call timeout.
TEST_F(TrueNasClientTest, GetMethodsDecodesInTheClient) {
  auto r = midclt({"-t", "20", "call", "core.get_methods"}, std::chrono::seconds(40));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto methods = json::parse(r.out).as_object();
  EXPECT_TRUE(methods.contains("audit.query"));
  EXPECT_TRUE(methods.contains("vm.create"));
}

TEST_F(TrueNasClientTest, GetMethodsOfOneService) {
  auto methods = call_json({"call", "core.get_methods", "vm"}).as_object();
  ASSERT_TRUE(methods.contains("vm.create"));
  for (const auto& [name, info] : methods) EXPECT_EQ(std::string(name).rfind("vm.", 0), 0u) << name;
  EXPECT_FALSE(methods.contains("vm.device.create"));
  EXPECT_EQ(methods.at("vm.create").at("accepts").at(0).at("_name_"), "vm_create");
}

TEST_F(TrueNasClientTest, AuditQueryTakesTrueNasObject) {
  EXPECT_TRUE(call_json({"call", "audit.query", R"({"services": ["MIDDLEWARE"], "query-options": {"count": true}})"})
                  .is_int64());
}

TEST_F(TrueNasClientTest, CreateAndQueryWithFilters) {
  auto id = create_vm("tn_create");
  auto vm =
      call_json({"call", "vm.query", R"([["name", "=", "tn_create"], ["memory", ">=", 64]])", R"({"get": true})"});
  EXPECT_EQ(vm.at("id"), id);
  EXPECT_EQ(vm.at("status").at("state"), "STOPPED");
  EXPECT_EQ(call_json({"call", "vm.query", R"([["name", "^", "tn_create_"]])"}), json::array{});
}

// A real QEMU that ignores the power button: vm.stop waits, reporting progress, then powers it
// off. Its console log then comes down through core.download as TrueNAS's tests fetch files.
TEST_F(TrueNasClientTest, StopJobReportsProgressAndTheLogDownloads) {
  auto id = create_vm("tn_stop");
  auto started = midclt({"call", "vm.start", std::to_string(id)});
  ASSERT_EQ(started.exit_code, 0) << started.err;
  auto stop =
      midclt({"call", "-j", "-jp", "description", "vm.stop", std::to_string(id), R"({"force_after_timeout": true})"});
  EXPECT_EQ(stop.exit_code, 0) << stop.err;
  EXPECT_NE(stop.err.find("Waiting for tn_stop to shut down"), std::string::npos) << stop.err;
  EXPECT_EQ(call_json({"call", "vm.status", std::to_string(id)}).at("state"), "STOPPED");

  auto path_answer = midclt({"call", "vm.log_file_path", std::to_string(id)});  // a string prints bare
  ASSERT_EQ(path_answer.exit_code, 0) << path_answer.err;
  const std::string log_path = path_answer.out.substr(0, path_answer.out.find('\n'));
  ASSERT_TRUE(fs::is_regular_file(log_path)) << path_answer.out;
  std::ofstream(log_path, std::ios::app) << "TN-CLIENT-MARKER\n";
  auto r = mw::test::run_command({MW_PYTHON3, MW_TRUENAS_DRIVER, MW_TRUENAS_CLIENT_DIR, "download", unix_uri(),
                                  http_base(), "vm.log_file_download", "[" + std::to_string(id) + "]", "tn_stop.log"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto got = json::parse(r.out).as_object();
  EXPECT_EQ(got.at("status"), 200);
  EXPECT_EQ(got.at("body"), json::value(file_text(log_path)));
  EXPECT_NE(got.at("body").as_string().find("TN-CLIENT-MARKER"), std::string::npos);
  EXPECT_EQ(got.at("disposition"), "attachment; filename=\"tn_stop.log\"");
  EXPECT_TRUE(got.at("job").is_null()) << "through core.download the job's result is null";
  EXPECT_EQ(got.at("second_status"), 401) << "the URL serves once";
}

// TrueNAS's midclt subscribes without logging in: over the unix socket, as root.
TEST_F(TrueNasClientTest, SubscribeSeesVmChanges) {
  auto subscriber = std::async(std::launch::async, [&] {
    return midclt({"subscribe", "vm.query", "-n", "1", "-t", "60"}, std::chrono::seconds(90));
  });
  auto id = create_vm("tn_sub");
  // The subscription may start after the first change: keep changing until the event arrives.
  for (int i = 0; subscriber.wait_for(500ms) != std::future_status::ready && i < 100; ++i)
    midclt({"call", "vm.update", std::to_string(id), R"({"description": "change )" + std::to_string(i) + R"("})"});
  auto r = subscriber.get();
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  auto event = json::parse(r.out).as_object();
  EXPECT_EQ(event.at("collection"), "vm.query");
  EXPECT_EQ(event.at("id"), id);
}

// A remote client: ws:// and a password login (auth.login_ex PASSWORD_PLAIN), then calls.
TEST_F(TrueNasClientTest, PasswordLoginOverWs) {
  create_vm("tn_ws");
  const std::string ws = "ws://127.0.0.1:" + std::to_string(daemon_->tcp_port()) + "/api/current";
  auto r =
      mw::test::run_command({MW_PYTHON3, MW_TRUENAS_DRIVER, MW_TRUENAS_CLIENT_DIR, "cli", "-u", ws, "-U", admin_, "-P",
                             kPassword, "call", "vm.query", R"([["name", "=", "tn_ws"]])", R"({"select": ["name"]})"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(json::parse(r.out), json::parse(R"([{"name": "tn_ws"}])"));
}

// An answer of over a megabyte is sent while it is written, as one message of several frames:
// TrueNAS's client (websocket-client underneath) reads it whole. A daemon of its own, as shipped:
// the test suites' result check would have the answer built whole first.
TEST(TrueNasClientStreamedAnswer, AnAnswerOfMegabytesReadsWhole) {
  mw::test::DaemonOptions options;
  options.check_results = false;
  mw::test::DaemonProcess daemon(options);
  auto c = mw::test::RpcClient::unix_socket(daemon.socket_path());
  const json::value ours = c.call("test.stream", {300, 10000});
  ASSERT_GT(json::serialize(ours).size(), std::size_t{1} << 20);
  auto r = mw::test::run_command({MW_PYTHON3, MW_TRUENAS_DRIVER, MW_TRUENAS_CLIENT_DIR, "cli", "-u",
                                  "ws+unix://" + daemon.socket_path().string(), "call", "test.stream", "300", "10000"},
                                 "", {}, std::chrono::seconds(90));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(json::parse(r.out), ours);
}

}  // namespace
