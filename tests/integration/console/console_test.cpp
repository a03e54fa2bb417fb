// The consoles end to end: a real daemon starting real QEMU VMs (TCG), clients speaking real
// WebSocket and HTTP to it.
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <mutex>
#include <random>
#include <thread>

#include <boost/json.hpp>

#include "support/daemon_process.hpp"
#include "support/file_text.hpp"
#include "support/http_get.hpp"
#include "support/rpc_client.hpp"
#include "support/run_command.hpp"

namespace {

namespace json = boost::json;
namespace fs = std::filesystem;
using namespace std::chrono_literals;
using mw::test::file_text;
using mw::test::RpcClient;

bool eventually(const std::function<bool()>& predicate, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (predicate()) return true;
    std::this_thread::sleep_for(50ms);
  }
  return predicate();
}

// Status line and body of a raw HTTP/1.1 response.
struct HttpAnswer {
  int status = 0;
  std::string headers;
  std::string body;
};
HttpAnswer parse_http(const std::string& raw) {
  HttpAnswer a;
  auto end = raw.find("\r\n\r\n");
  a.headers = raw.substr(0, end);
  if (raw.size() > 12) a.status = std::stoi(raw.substr(9, 3));
  if (end != std::string::npos) a.body = raw.substr(end + 4);
  if (a.headers.find("chunked") != std::string::npos) {  // a streamed download: join its chunks
    std::string joined;
    for (std::size_t at = 0; at < a.body.size();) {
      auto eol = a.body.find("\r\n", at);
      if (eol == std::string::npos) break;
      std::size_t size = std::stoul(a.body.substr(at, eol - at), nullptr, 16);
      if (size == 0) break;
      joined += a.body.substr(eol + 2, size);
      at = eol + 2 + size + 2;
    }
    a.body = std::move(joined);
  }
  return a;
}

fs::path tiny_guest_dir() {
  static std::once_flag once;
  static std::string error;
  const fs::path dir = MW_TINYGUEST_DIR;
  std::call_once(once, [&] {
    auto r = mw::test::run_command({"/bin/sh", MW_TINYGUEST_BUILD, dir.string()}, "", {}, std::chrono::seconds(300));
    if (r.exit_code != 0) error = "tinyguest build failed: " + r.err;
  });
  if (!error.empty()) throw std::runtime_error(error);
  return dir;
}

class ConsoleTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    // A local account whose group gives it VM_READ only (tests run as root, like the role matrix).
    std::random_device rd;
    for (int i = 0; i < 6; ++i) suffix_ += static_cast<char>('a' + rd() % 26);
    reader_ = "mwcon" + suffix_;
    must({"groupadd", "mwcon-" + suffix_});
    must({"useradd", "-M", "-s", "/usr/sbin/nologin", "-G", "mwcon-" + suffix_, reader_});
    mw::test::DaemonOptions options;
    options.config_text =
        "[vm]\nstop_vms_on_shutdown = true\n"  // no QEMU outlives the run
        "[auth]\napi_key_iterations = 4096\n"
        // Short, so that the tests can show a console outlives it once its token is checked.
        "[limits]\nidle_unauthenticated_timeout = 2\n"
        "[roles]\nmwcon-" +
        suffix_ + " = VM_READ\n";
    daemon_ = std::make_unique<mw::test::DaemonProcess>(options);
  }
  static void TearDownTestSuite() {
    daemon_.reset();
    mw::test::run_command({"userdel", reader_});
    mw::test::run_command({"groupdel", "mwcon-" + suffix_});
  }

  static void must(const std::vector<std::string>& argv) {
    auto r = mw::test::run_command(argv);
    if (r.exit_code != 0) throw std::runtime_error(argv[0] + " failed: " + r.err);
  }

  void TearDown() override {
    for (int64_t id : created_) {
      try {
        call("vm.delete", {id, json::object{{"force", true}}});
      } catch (const std::exception& e) {
        ADD_FAILURE() << "cleanup of VM " << id << ": " << e.what();
      }
    }
  }

  static RpcClient client() { return RpcClient::unix_socket(daemon_->socket_path()); }
  static json::value call(const std::string& method, json::array params = {}) {
    return client().call(method, std::move(params));
  }

  int64_t create_vm(const std::string& name, json::object extra = {}) {
    json::object body{{"name", name},       {"memory", 64},          {"bootloader", "UEFI_CSM"},
                      {"autostart", false}, {"shutdown_timeout", 5}, {"ensure_display_device", false}};
    for (auto& kv : extra) body[kv.key()] = kv.value();
    auto id = call("vm.create", {body}).as_object().at("id").as_int64();
    created_.push_back(id);
    return id;
  }

  // The tiny guest with a shell on its serial console (tests/support/tinyguest).
  int64_t create_tiny_guest(const std::string& name) {
    const auto dir = tiny_guest_dir();
    const std::string args = "-kernel " + (dir / "vmlinuz").string() + " -initrd " + (dir / "initrd.img").string() +
                             " -append 'console=ttyS0 panic=-1 quiet tinyguest.fastoff'";
    return create_vm(name, json::object{{"memory", 128}, {"command_line_args", args}});
  }

  // Starts a tiny guest and waits until its console log says the shell is up; returns the log's
  // path as vm.log_file_path reports it.
  std::string start_and_wait_ready(int64_t id) {
    call("vm.start", {id});
    std::string log_path;
    EXPECT_TRUE(eventually(
        [&] {
          auto p = call("vm.log_file_path", {id});
          if (p.is_string()) log_path = p.as_string();
          return !log_path.empty() && file_text(log_path).find("TINYGUEST-READY") != std::string::npos;
        },
        90s))
        << "log: " << log_path;
    return log_path;
  }

  // Reads from the shell until `needle` has been seen or `timeout` has passed; returns everything
  // read. A closed connection still throws.
  static std::string read_until(RpcClient& shell, const std::string& needle, std::chrono::milliseconds timeout) {
    std::string seen;
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (seen.find(needle) == std::string::npos && std::chrono::steady_clock::now() < deadline) {
      try {
        seen += shell.receive_text(
            std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now()));
      } catch (const mw::test::ConnectionClosed&) {
        throw;
      } catch (const std::runtime_error&) {
        break;  // timed out
      }
    }
    return seen;
  }

  // The guest starts its shell just after printing TINYGUEST-READY, and what is typed before the
  // shell opens the console is lost: probe until the shell answers.
  static void wait_for_shell(RpcClient& shell) {
    const auto deadline = std::chrono::steady_clock::now() + 60s;
    while (std::chrono::steady_clock::now() < deadline) {
      shell.send_binary("echo SYNC-$((1+1))\n");
      if (read_until(shell, "SYNC-2", 2s).find("SYNC-2") != std::string::npos) return;
    }
    FAIL() << "the guest's shell never answered";
  }

  // Runs a job to its end and returns its result (legacy_jobs off: the answer waits for the job).
  static json::value run_job(const std::string& method, json::array params) {
    auto c = client();
    c.call("core.set_options", {json::object{{"legacy_jobs", false}}});
    return c.call(method, std::move(params));
  }

  // A VM with a web display of `type` (password pw12), started; its ids and the web URI ("" on error).
  struct WebDisplay {
    int64_t vm_id;
    int64_t device_id;
    std::string uri;
  };
  WebDisplay start_web_display(const std::string& name, const std::string& type) {
    const auto id = create_vm(name);
    auto device = call(
        "vm.device.create",
        {json::object{
            {"vm", id},
            {"attributes", json::object{{"dtype", "DISPLAY"}, {"type", type}, {"web", true}, {"password", "pw12"}}}}});
    call("vm.start", {id});
    auto answer = call("vm.get_display_web_uri", {id}).as_object();
    EXPECT_TRUE(answer.at("error").is_null()) << json::serialize(answer);
    std::string uri = answer.at("uri").is_string() ? std::string(answer.at("uri").as_string()) : "";
    return {id, device.at("id").as_int64(), uri};
  }

  static json::object shell_open(RpcClient& shell, const std::string& token, int64_t vm_id) {
    shell.send_text(json::serialize(json::object{{"token", token}, {"options", json::object{{"vm_id", vm_id}}}}));
    return json::parse(shell.receive_text(30s)).as_object();
  }

  static inline std::unique_ptr<mw::test::DaemonProcess> daemon_;
  static inline std::string suffix_, reader_;
  std::vector<int64_t> created_;
};

TEST_F(ConsoleTest, ShellRelaysTheGuestSerialConsoleBothWays) {
  const auto id = create_tiny_guest("shellvm");
  // The guest's console log says when its shell is up; the log is where vm.log_file_path says.
  const std::string log_path = start_and_wait_ready(id);
  ASSERT_FALSE(HasFailure());
  EXPECT_EQ(fs::path(log_path), daemon_->state_dir() / "logs" / (std::to_string(id) + "_shellvm.log"));

  auto token = std::string(call("auth.generate_token").as_string());
  for (const char* path : {"/websocket/shell", "/_shell"}) {
    auto shell = RpcClient::unix_socket(daemon_->socket_path(), path);
    auto hello = shell_open(shell, token, id);
    ASSERT_EQ(hello.at("msg"), "connected") << json::serialize(hello);
    EXPECT_FALSE(hello.at("id").as_string().empty());
    // The web UI resizes its terminal by the session's id (a serial console has no size to pass on).
    EXPECT_TRUE(call("core.resize_shell", {hello.at("id"), 120, 40}).is_null());

    wait_for_shell(shell);
    const std::string marker = std::string("HELLO-") + (path[1] == 'w' ? "A" : "B");
    // The shell computes the marker, so the echo of the typed line alone cannot satisfy the test.
    shell.send_binary("echo HELLO-$(echo " + marker.substr(6) + ")Z\n");
    const std::string seen = read_until(shell, marker + "Z", 30s);
    EXPECT_NE(seen.find(marker + "Z"), std::string::npos) << seen;
  }
  // What went through the console is in the log too.
  EXPECT_TRUE(eventually([&] { return file_text(log_path).find("HELLO-BZ") != std::string::npos; }, 10s));

  // vm.log_file_download: a job whose URL serves the log once.
  auto offer = run_job("vm.log_file_download", {id}).as_object();
  EXPECT_EQ(offer.at("path"), json::value(log_path));
  const std::string url(offer.at("url").as_string());
  auto first = parse_http(mw::test::run_http_get(daemon_->socket_path(), url));
  EXPECT_EQ(first.status, 200) << first.headers;
  EXPECT_GE(first.body.size(), static_cast<std::size_t>(offer.at("size").as_int64()));
  EXPECT_EQ(first.body, file_text(log_path).substr(0, first.body.size()));
  EXPECT_NE(first.body.find("HELLO-BZ"), std::string::npos);
  auto second = parse_http(mw::test::run_http_get(daemon_->tcp_port(), url));
  EXPECT_EQ(second.status, 401) << "a download token is single-use";

  // Through core.download (TrueNAS's web UI and tests): [job id, url]; the log is the download.
  auto started = call("core.download", {"vm.log_file_download", json::array{id}, "shellvm.log"}).as_array();
  ASSERT_EQ(started.size(), 2u);
  const std::string pipe_url(started[1].as_string());
  EXPECT_EQ(pipe_url.rfind("/_download/" + std::to_string(started[0].as_int64()) + "?auth_token=", 0), 0u) << pipe_url;
  auto streamed = parse_http(mw::test::run_http_get(daemon_->tcp_port(), pipe_url));
  EXPECT_EQ(streamed.status, 200) << streamed.headers;
  EXPECT_NE(streamed.headers.find("attachment; filename=\"shellvm.log\""), std::string::npos) << streamed.headers;
  EXPECT_NE(streamed.headers.find("chunked"), std::string::npos) << streamed.headers;
  EXPECT_NE(streamed.body.find("HELLO-BZ"), std::string::npos);
  EXPECT_TRUE(run_job("core.job_wait", {started[0]}).is_null()) << "the job's result is null, as in TrueNAS";
  EXPECT_EQ(parse_http(mw::test::run_http_get(daemon_->tcp_port(), pipe_url)).status, 401);

  call("vm.poweroff", {id});
}

// A client that goes away while the guest is still printing must not take the daemon down: the
// relay used to drop its queue under a write in flight (a use-after-free and a crash).
TEST_F(ConsoleTest, ShellSurvivesAClientLeavingWhileTheGuestPrints) {
  const auto id = create_tiny_guest("floodvm");
  start_and_wait_ready(id);
  ASSERT_FALSE(HasFailure());
  auto token = std::string(call("auth.generate_token").as_string());
  for (int round = 0; round < 3; ++round) {
    auto shell = RpcClient::unix_socket(daemon_->socket_path(), "/_shell");
    ASSERT_EQ(shell_open(shell, token, id).at("msg"), "connected");
    if (round == 0) {
      wait_for_shell(shell);
      shell.send_binary("yes FLOOD-$((6*7)) | head -n 8000\n");
    }
    const std::string seen = read_until(shell, "FLOOD-42", 30s);
    ASSERT_NE(seen.find("FLOOD-42"), std::string::npos) << seen;
  }  // each round's client leaves without a close frame while the lines still stream
  EXPECT_EQ(call("core.ping"), "pong");
  auto shell = RpcClient::unix_socket(daemon_->socket_path(), "/websocket/shell");
  ASSERT_EQ(shell_open(shell, token, id).at("msg"), "connected");
  shell.send_binary("echo AFTER-$((40+2))\n");
  const std::string seen = read_until(shell, "AFTER-42", 30s);
  EXPECT_NE(seen.find("AFTER-42"), std::string::npos) << seen.substr(seen.size() > 2000 ? seen.size() - 2000 : 0);
  call("vm.poweroff", {id});
}

// Before its token is checked a console socket is closed when it stays silent (like any anonymous
// connection); after, it may stay silent as long as the administrator looks at the screen.
TEST_F(ConsoleTest, ShellMayStaySilentOnceItsTokenIsChecked) {
  const auto id = create_tiny_guest("idlevm");
  start_and_wait_ready(id);
  ASSERT_FALSE(HasFailure());
  auto token = std::string(call("auth.generate_token").as_string());
  auto shell = RpcClient::unix_socket(daemon_->socket_path(), "/websocket/shell");  // where the token was made
  ASSERT_EQ(shell_open(shell, token, id).at("msg"), "connected");
  wait_for_shell(shell);
  std::this_thread::sleep_for(3s);  // silent past the 2 s idle timeout
  shell.send_binary("echo IDLE-$((40+2))\n");
  EXPECT_NE(read_until(shell, "IDLE-42", 30s).find("IDLE-42"), std::string::npos);

  auto silent = RpcClient::tcp(daemon_->tcp_port(), "/websocket/shell");
  try {
    silent.receive_text(10s);
    ADD_FAILURE() << "a console socket that never sent its token was not closed";
  } catch (const mw::test::ConnectionClosed& e) {
    EXPECT_EQ(e.code, 1008);
  }
  call("vm.poweroff", {id});
}

TEST_F(ConsoleTest, ShellRefusesAnInvalidToken) {
  const auto id = create_vm("badtoken");
  auto shell = RpcClient::unix_socket(daemon_->socket_path(), "/_shell");
  auto answer = shell_open(shell, "not-a-token", id);
  EXPECT_EQ(json::serialize(answer), R"({"msg":"failed","error":{"error":207,"reason":"Invalid token"}})");
}

TEST_F(ConsoleTest, ShellRefusesADownloadToken) {
  const auto id = create_vm("attrtoken");
  auto token = std::string(call("auth.generate_token", {600, json::object{{"filename", "x"}}}).as_string());
  auto shell = RpcClient::unix_socket(daemon_->socket_path(), "/websocket/shell");
  EXPECT_EQ(shell_open(shell, token, id).at("error").at("reason"), "Invalid token");
}

TEST_F(ConsoleTest, ShellNeedsTheVmWriteRole) {
  const auto id = create_vm("readonlyvm");
  auto key = call("api_key.create", {json::object{{"name", "console-reader"}, {"username", reader_}}}).at("key");
  auto reader = RpcClient::tcp(daemon_->tcp_port());
  auto login = reader.call("auth.login_ex",
                           {json::object{{"mechanism", "API_KEY_PLAIN"}, {"username", reader_}, {"api_key", key}}});
  ASSERT_EQ(login.at("response_type"), "SUCCESS") << json::serialize(login);
  auto token = std::string(reader.call("auth.generate_token").as_string());
  auto shell = RpcClient::tcp(daemon_->tcp_port(), "/websocket/shell");
  EXPECT_EQ(json::serialize(shell_open(shell, token, id)),
            R"({"msg":"failed","error":{"error":13,"reason":"Missing required role for VM shell: VM_WRITE"}})");
}

TEST_F(ConsoleTest, ShellSaysWhenTheVmIsNotRunning) {
  const auto id = create_vm("stoppedvm");
  auto token = std::string(call("auth.generate_token").as_string());
  auto shell = RpcClient::unix_socket(daemon_->socket_path(), "/_shell");
  auto answer = shell_open(shell, token, id);
  EXPECT_EQ(answer.at("msg"), "failed");
  EXPECT_EQ(answer.at("error").at("reason"), "VM 'stoppedvm' is not running");
}

// One frame from a client that never logged in used to end the daemon: Boost.JSON refused to
// narrow the id to int64 and threw outside any handler (std::terminate).
TEST_F(ConsoleTest, ShellRejectsHugeVmIdWithoutDying) {
  const std::pair<const char*, const char*> cases[] = {
      {"18446744073709551615", "options.vm_id is out of range"},
      {"9223372036854775808", "options.vm_id is out of range"},
      {"-9223372036854775809", "options.vm_id must be an integer"},  // a double to Boost.JSON
      {"1.5", "options.vm_id must be an integer"}};
  for (const auto& [vm_id, reason] : cases) {
    auto shell = RpcClient::tcp(daemon_->tcp_port(), "/websocket/shell");
    shell.send_text(std::string(R"({"token": "x", "options": {"vm_id": )") + vm_id + "}}");
    auto answer = json::parse(shell.receive_text(10s)).as_object();
    EXPECT_EQ(answer.at("msg"), "failed") << vm_id;
    EXPECT_EQ(answer.at("error").at("error"), EINVAL) << vm_id;
    EXPECT_EQ(answer.at("error").at("reason"), reason) << vm_id;
  }
  EXPECT_EQ(call("core.ping"), "pong");
}

// A close frame holds 123 bytes of reason; a longer one threw on the I/O thread and ended the
// daemon. The "failed" message keeps the whole reason; the close frame has a prefix of it.
TEST_F(ConsoleTest, ShellCloseReasonForALongVmNameIsCutNotFatal) {
  const std::string name(150, 'n');
  const auto id = create_vm(name);
  auto token = std::string(call("auth.generate_token").as_string());
  auto shell = RpcClient::unix_socket(daemon_->socket_path(), "/websocket/shell");
  auto answer = shell_open(shell, token, id);
  const std::string reason = "VM '" + name + "' is not running";
  EXPECT_EQ(answer.at("error").at("reason").as_string(), reason);
  try {
    shell.receive_text(10s);
    ADD_FAILURE() << "the connection stayed open";
  } catch (const mw::test::ConnectionClosed& closed) {
    EXPECT_EQ(closed.code, 1000);
    EXPECT_EQ(closed.reason, reason.substr(0, 123));
  }
  EXPECT_EQ(call("core.ping"), "pong");
}

TEST_F(ConsoleTest, LogFilePathIsNullBeforeTheFirstStart) {
  const auto id = create_vm("nolog");
  EXPECT_TRUE(call("vm.log_file_path", {id}).is_null());
  try {
    call("vm.log_file_path", {9999});
    ADD_FAILURE() << "a missing VM must fail";
  } catch (const mw::test::RpcError& e) {
    EXPECT_EQ(e.reason(), "[ENOENT] None: VM 9999 does not exist");
  }
}

TEST_F(ConsoleTest, DownloadRefusesAMissingOrWrongToken) {
  // TrueNAS's answers: 401 for a missing or unknown token, 404 for a path that is no job id.
  EXPECT_EQ(parse_http(mw::test::run_http_get(daemon_->tcp_port(), "/_download/1")).status, 401);
  EXPECT_EQ(parse_http(mw::test::run_http_get(daemon_->tcp_port(), "/_download/1?auth_token=abc")).status, 401);
  EXPECT_EQ(parse_http(mw::test::run_http_get(daemon_->tcp_port(), "/_download/x")).status, 404);
}

TEST_F(ConsoleTest, CoreDownloadOfAVmWithoutLogIsEmptyAndRefusesOtherMethods) {
  const auto id = create_vm("nolog_dl");
  auto started = call("core.download", {"vm.log_file_download", json::array{id}, "x.log"}).as_array();
  auto answer = parse_http(mw::test::run_http_get(daemon_->socket_path(), std::string(started[1].as_string())));
  EXPECT_EQ(answer.status, 200);
  EXPECT_EQ(answer.body, "") << "no log yet: an empty file, as TrueNAS sends";
  try {
    call("core.download", {"vm.query", json::array{}, "q.json"});
    ADD_FAILURE() << "a method that is no download was accepted";
  } catch (const mw::test::RpcError& e) {
    EXPECT_EQ(e.reason(), "[EINVAL] Method 'vm.query' does not produce a download");
  }
}

TEST_F(ConsoleTest, WebUriExplainsWhenThereIsNoWebDisplay) {
  const auto id = create_vm("nodisplay");
  EXPECT_EQ(json::serialize(call("vm.get_display_web_uri", {id})),
            R"({"uri":null,"error":"Display device is not configured for this VM"})");
  call("vm.device.create",
       {json::object{
           {"vm", id},
           {"attributes", json::object{{"dtype", "DISPLAY"}, {"type", "VNC"}, {"web", false}, {"password", "pw12"}}}}});
  EXPECT_EQ(json::serialize(call("vm.get_display_web_uri", {id})),
            R"({"uri":null,"error":"Web display is not configured"})");
}

// The WebSocket path of the viewer (the URI's `path` parameter, percent-decoded, with a leading '/').
std::string viewer_socket_path(const std::string& uri) {
  auto path_at = uri.find("path=");
  if (path_at == std::string::npos) return {};
  std::string encoded = uri.substr(path_at + 5, uri.find('&', path_at) - path_at - 5);
  std::string ws_path = "/";
  for (std::size_t i = 0; i < encoded.size(); ++i) {
    if (encoded[i] == '%' && i + 2 < encoded.size()) {
      ws_path.push_back(static_cast<char>(std::stoi(encoded.substr(i + 1, 2), nullptr, 16)));
      i += 2;
    } else {
      ws_path.push_back(encoded[i]);
    }
  }
  return ws_path;
}

TEST_F(ConsoleTest, DisplayProxySaysWhenTheVmIsNotRunning) {
  const auto id = create_vm("vncstopped");
  call("vm.device.create",
       {json::object{
           {"vm", id},
           {"attributes", json::object{{"dtype", "DISPLAY"}, {"type", "VNC"}, {"web", true}, {"password", "pw12"}}}}});
  auto answer = call("vm.get_display_web_uri", {id}).as_object();
  ASSERT_TRUE(answer.at("error").is_null()) << json::serialize(answer);
  const std::string ws_path = viewer_socket_path(std::string(answer.at("uri").as_string()));
  ASSERT_FALSE(ws_path.empty());
  auto display = RpcClient::tcp(daemon_->tcp_port(), ws_path);
  try {
    display.receive_text(20s);
    ADD_FAILURE() << "a stopped VM's display must close the WebSocket";
  } catch (const mw::test::ConnectionClosed& e) {
    EXPECT_EQ(e.code, 1011);
    EXPECT_EQ(e.reason, "The VM's display is not reachable (is the VM running?)");
  }
}

TEST_F(ConsoleTest, DisplayProxyReachesTheVmsVncServer) {
  const auto [id, device_id, uri] = start_web_display("vncvm", "VNC");
  ASSERT_FALSE(uri.empty());
  const std::string base = "/vm/display/" + std::to_string(device_id) + "/";
  EXPECT_NE(uri.find(base + "vnc.html?"), std::string::npos) << uri;
  EXPECT_NE(uri.find("&password=pw12"), std::string::npos) << "an administrator gets the password: " << uri;

  // The noVNC viewer itself comes from Debian's novnc package.
  auto page = parse_http(mw::test::run_http_get(daemon_->tcp_port(), base + "vnc.html"));
  EXPECT_EQ(page.status, 200);
  EXPECT_NE(page.body.find("noVNC"), std::string::npos);
  EXPECT_EQ(parse_http(mw::test::run_http_get(daemon_->tcp_port(), base + "app/ui.js")).status, 200);
  EXPECT_EQ(parse_http(mw::test::run_http_get(daemon_->tcp_port(), base + "..%2F..%2Fetc%2Fpasswd")).status, 404);

  // The viewer's WebSocket path (the `path` query parameter) carries the token.
  const std::string ws_path = viewer_socket_path(uri);
  ASSERT_EQ(ws_path.rfind(base + "websockify?token=", 0), 0u) << ws_path;
  auto display = RpcClient::tcp(daemon_->tcp_port(), ws_path);
  EXPECT_EQ(display.receive_text(20s), "RFB 003.008\n");
  // The token made it an authenticated connection: silent past the idle timeout, it stays open.
  std::this_thread::sleep_for(3s);
  display.send_binary("RFB 003.008\n");
  auto security = display.receive_text(20s);
  ASSERT_GE(security.size(), 2u);
  EXPECT_EQ(security[1], '\x02') << "VNC authentication: the display has a password";

  // Without the token, or with a wrong one, the upgrade is refused.
  EXPECT_ANY_THROW(RpcClient::tcp(daemon_->tcp_port(), base + "websockify"));
  EXPECT_ANY_THROW(RpcClient::tcp(daemon_->tcp_port(), base + "websockify?token=not-a-token"));
  call("vm.poweroff", {id});
}

// A guest may print or send without end; the host keeps only so much of it. A daemon whose serial
// logs rotate at 16 KiB.
class ConsoleLimitsTest : public ConsoleTest {
 protected:
  static constexpr std::uintmax_t kLogLimit = 16 << 10;
  static void SetUpTestSuite() {
    mw::test::DaemonOptions options;
    options.config_text = "[vm]\nstop_vms_on_shutdown = true\nserial_log_max_size = 16K\n";
    daemon_ = std::make_unique<mw::test::DaemonProcess>(options);
  }
  static void TearDownTestSuite() { daemon_.reset(); }

  // Starts the tiny guest and opens its shell.
  RpcClient ready_shell(int64_t id) {
    start_and_wait_ready(id);
    auto shell = RpcClient::unix_socket(daemon_->socket_path(), "/_shell");
    auto hello = shell_open(shell, std::string(call("auth.generate_token").as_string()), id);
    if (hello.at("msg") != "connected") {
      ADD_FAILURE() << json::serialize(hello);
    }
    wait_for_shell(shell);
    return shell;
  }
};

TEST_F(ConsoleLimitsTest, SerialLogRotatesAtTheConfiguredSizeKeepingOneOlderFile) {
  const auto id = create_tiny_guest("rotatevm");
  auto shell = ready_shell(id);
  ASSERT_FALSE(HasFailure());
  const std::string log_path(call("vm.log_file_path", {id}).as_string());
  // Three bursts of ~64 KiB, each far over the limit, with pauses the daemon can rotate in.
  shell.send_binary(
      "for i in 1 2 3; do yes ROTATE-0123456789-0123456789 | head -n 2200; sleep 2; done; echo DONE-$((6*7))\n");
  ASSERT_NE(read_until(shell, "DONE-42", 180s).find("DONE-42"), std::string::npos);
  EXPECT_TRUE(eventually([&] { return fs::file_size(log_path) <= kLogLimit; }, 10s))
      << fs::file_size(log_path) << " bytes";
  ASSERT_TRUE(fs::exists(log_path + ".1"));
  EXPECT_GT(fs::file_size(log_path + ".1"), 0u);
  EXPECT_FALSE(fs::exists(log_path + ".2")) << "one rotated file is kept, no more";
  EXPECT_LT(fs::file_size(log_path) + fs::file_size(log_path + ".1"), 3u * 2200 * 30)
      << "the older bursts were dropped";
  // The guest writes on into the same log after a rotation.
  shell.send_binary("echo AFTER-$((40+2))\n");
  EXPECT_TRUE(eventually([&] { return file_text(log_path).find("AFTER-42") != std::string::npos; }, 10s));
  call("vm.poweroff", {id});
}

TEST_F(ConsoleLimitsTest, GuestAgentFloodFailsTheCallInsteadOfFillingMemory) {
  const auto id = create_tiny_guest("agentvm");
  auto shell = ready_shell(id);
  ASSERT_FALSE(HasFailure());
  // The guest's end of the agent channel sends 4 MiB without a newline once the daemon connects.
  shell.send_binary(
      "for p in /dev/vport*p1; do dd if=/dev/zero of=$p bs=65536 count=64 2>/dev/null & done; echo FLOOD-$((6*7))\n");
  ASSERT_NE(read_until(shell, "FLOOD-42", 30s).find("FLOOD-42"), std::string::npos);
  try {
    call("vm.get_guest_network_interfaces", {id});
    ADD_FAILURE() << "a flooding agent must fail the call";
  } catch (const mw::test::RpcError& e) {
    EXPECT_EQ(e.reason(),
              "[EFAULT] The guest agent sent more than 1 MiB without ending its reply; the connection was dropped");
  }
  EXPECT_EQ(call("core.ping"), "pong");
  call("vm.poweroff", {id});
}

// TrueNAS's default display: SPICE with web access. The URI is TrueNAS's; the page is Debian's
// spice-html5, and its WebSocket reaches the VM's SPICE server through the same proxy as noVNC.
TEST_F(ConsoleTest, SpiceWebDisplayReachesTheVmsSpiceServer) {
  const auto [id, device_id, uri] = start_web_display("spicevm", "SPICE");
  ASSERT_FALSE(uri.empty());
  const std::string base = "/vm/display/" + std::to_string(device_id) + "/";
  const std::string truenas =
      base + "spice_auto.html?path=vm%2Fdisplay%2F" + std::to_string(device_id) + "%2F&autoconnect=1";
  EXPECT_NE(uri.find(truenas), std::string::npos) << uri;
  EXPECT_NE(uri.find("&password=pw12"), std::string::npos) << "an administrator gets the password: " << uri;

  auto page = parse_http(mw::test::run_http_get(daemon_->tcp_port(), base + "spice_auto.html"));
  EXPECT_EQ(page.status, 200);
  EXPECT_NE(page.body.find("Spice Javascript client"), std::string::npos);
  auto script = parse_http(mw::test::run_http_get(daemon_->tcp_port(), base + "main.js"));
  EXPECT_EQ(script.status, 200);
  EXPECT_NE(script.headers.find("application/javascript"), std::string::npos) << "module scripts need a script type";

  // The page opens its socket at `path` with the token as a cookie; a query token works too.
  auto token_at = uri.find("&token=");
  ASSERT_NE(token_at, std::string::npos) << uri;
  const std::string token = uri.substr(token_at + 7, uri.find('&', token_at + 1) - token_at - 7);
  auto spice = RpcClient::tcp(daemon_->tcp_port(), base + "?token=" + token);
  // A SPICE link message for the main channel: header "REDQ", protocol 2.2, 18 bytes of body.
  std::string link("REDQ", 4);
  auto u32 = [&](uint32_t v) {
    for (int i = 0; i < 4; ++i) link.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
  };
  u32(2), u32(2), u32(18);
  u32(0), link.push_back('\1'), link.push_back('\0'), u32(0), u32(0), u32(18);
  spice.send_binary(link);
  const std::string reply = spice.receive_text(20s);
  EXPECT_EQ(reply.substr(0, 4), "REDQ") << "the VM's SPICE server answered";

  EXPECT_ANY_THROW(RpcClient::tcp(daemon_->tcp_port(), base));
  EXPECT_ANY_THROW(RpcClient::tcp(daemon_->tcp_port(), base + "?token=not-a-token"));
  call("vm.poweroff", {id});
}

}  // namespace
