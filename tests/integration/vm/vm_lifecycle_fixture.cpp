#include "vm_lifecycle_fixture.hpp"

#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <fstream>
#include <mutex>
#include <thread>

#include "support/run_command.hpp"

namespace vm_it {

using namespace std::chrono_literals;

void VmLifecycleTest::SetUpTestSuite() {
  storage_ = std::filesystem::temp_directory_path() / ("mw_vm_life_" + std::to_string(::getpid()));
  std::filesystem::remove_all(storage_);
  std::filesystem::create_directories(storage_);
  mw::test::DaemonOptions options;
  // Stop VMs with the daemon, so that no QEMU outlives a test run whatever happens in a test.
  options.config_text = "[vm]\nstorage_roots = " + storage_.string() + "\nstop_vms_on_shutdown = true\n";
  daemon_ = std::make_unique<mw::test::DaemonProcess>(options);
}

void VmLifecycleTest::TearDownTestSuite() {
  daemon_.reset();
  std::filesystem::remove_all(storage_);
}

void VmLifecycleTest::TearDown() {
  try {
    // Keep the result alive: a range-for over a temporary's as_array() would dangle.
    const auto vms = call("vm.query");
    for (const auto& vm : vms.as_array()) {
      const auto id = vm.at("id").as_int64();
      if (!vm.at("status").at("pid").is_null()) call("vm.poweroff", {id});
      call("vm.delete", {id});
    }
  } catch (const std::exception& e) {
    ADD_FAILURE() << "cleanup: " << e.what();
  }
}

json::value VmLifecycleTest::call(const std::string& method, json::array params) {
  auto c = client();
  return c.call(method, std::move(params));
}

int64_t VmLifecycleTest::create_vm(const std::string& name, json::object extra) {
  json::object body{{"name", name},       {"memory", 64},          {"bootloader", "UEFI_CSM"},
                    {"autostart", false}, {"shutdown_timeout", 5}, {"ensure_display_device", false}};
  for (auto& kv : extra) body[kv.key()] = kv.value();
  return call("vm.create", {body}).as_object().at("id").as_int64();
}

int64_t VmLifecycleTest::create_tiny_guest(const std::string& name) {
  const auto dir = tiny_guest_dir();
  const std::string args = "-kernel " + (dir / "vmlinuz").string() + " -initrd " + (dir / "initrd.img").string() +
                           " -append 'console=ttyS0 panic=-1 quiet tinyguest.fastoff tinyguest.noshell'";
  return create_vm(name, json::object{{"memory", 128}, {"shutdown_timeout", 120}, {"command_line_args", args}});
}

std::string VmLifecycleTest::uuid_of(int64_t id) {
  return std::string(call("vm.get_instance", {id}).at("uuid").as_string());
}

json::value VmLifecycleTest::run_job(const std::string& method, json::array params) {
  auto c = client();
  auto job = c.call(method, std::move(params));
  c.call("core.set_options", {json::object{{"legacy_jobs", false}}});
  return c.call("core.job_wait", {job});
}

std::string VmLifecycleTest::error_of(const std::string& method, json::array params) {
  try {
    call(method, std::move(params));
  } catch (const mw::test::RpcError& e) {
    return e.reason();
  }
  return "";
}

bool VmLifecycleTest::eventually(const std::function<bool()>& predicate, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!predicate()) {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(20ms);  // polling interval, not a wait for an outcome
  }
  return true;
}

std::optional<std::chrono::milliseconds> wait_for_state(mw::test::RpcClient& subscriber, int64_t id,
                                                        const std::string& state, std::chrono::milliseconds timeout) {
  const auto start = std::chrono::steady_clock::now();
  const auto deadline = start + timeout;
  for (;;) {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return std::nullopt;
    auto note = subscriber.next_notification(left);
    if (!note) return std::nullopt;
    const auto* params = note->if_contains("params");
    if (!params || !params->is_object()) continue;
    const auto& p = params->as_object();
    if (p.at("collection") != "vm.query" || p.at("msg") != "changed" || p.at("id") != id) continue;
    const auto* fields = p.if_contains("fields");
    if (fields && fields->at("status").at("state") == json::value(state))
      return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start);
  }
}

namespace {

// One JSON line from a blocking socket, within the deadline.
std::optional<json::object> read_line(int fd, std::string& buffer, std::chrono::steady_clock::time_point deadline) {
  for (;;) {
    if (auto nl = buffer.find('\n'); nl != std::string::npos) {
      auto line = buffer.substr(0, nl);
      buffer.erase(0, nl + 1);
      return json::parse(line).as_object();
    }
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    pollfd p{fd, POLLIN, 0};
    if (left.count() <= 0 || ::poll(&p, 1, static_cast<int>(left.count())) <= 0) return std::nullopt;
    char chunk[4096];
    auto n = ::read(fd, chunk, sizeof chunk);
    if (n <= 0) return std::nullopt;
    buffer.append(chunk, static_cast<std::size_t>(n));
  }
}

}  // namespace

std::string qmp_status(const std::filesystem::path& socket) {
  int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::snprintf(addr.sun_path, sizeof addr.sun_path, "%s", socket.c_str());
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(fd);
    return "unreachable";
  }
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  std::string buffer, status = "no answer";
  auto send = [&](const std::string& text) {
    return ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
  };
  if (read_line(fd, buffer, deadline) && send("{\"execute\":\"qmp_capabilities\"}\n")) {
    while (auto reply = read_line(fd, buffer, deadline)) {
      if (reply->contains("return")) break;
    }
    send("{\"execute\":\"query-status\",\"id\":\"probe\"}\n");
    while (auto reply = read_line(fd, buffer, deadline)) {
      if (reply->contains("id") && reply->contains("return")) {
        status = std::string(reply->at("return").at("status").as_string());
        break;
      }
    }
  }
  ::close(fd);
  return status;
}

std::filesystem::path tiny_guest_dir() {
  static std::once_flag once;
  static std::string error;
  const std::filesystem::path dir = MW_TINYGUEST_DIR;
  std::call_once(once, [&] {
    auto r = mw::test::run_command({"/bin/sh", MW_TINYGUEST_BUILD, dir.string()}, "", {}, std::chrono::seconds(300));
    if (r.exit_code != 0) error = "tinyguest build failed: " + r.err;
  });
  if (!error.empty()) throw std::runtime_error(error);
  return dir;
}

}  // namespace vm_it
