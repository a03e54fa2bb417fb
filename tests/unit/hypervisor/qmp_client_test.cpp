// QmpClient against a scripted QMP server on a unix socket.
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <future>
#include <thread>

#include <gtest/gtest.h>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "hypervisor/qemu/qmp_client.hpp"

namespace mw::vm::hypervisor::qemu {
namespace {

using namespace std::chrono_literals;

// A QMP server that does what the test script says, one client, blocking I/O.
class FakeQmp {
 public:
  explicit FakeQmp(const std::string& path, bool listen = true) {
    fd_ = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::snprintf(addr.sun_path, sizeof addr.sun_path, "%s", path.c_str());
    EXPECT_EQ(::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
    if (listen) {
      EXPECT_EQ(::listen(fd_, 1), 0);
    }
  }
  ~FakeQmp() {
    close_client();
    ::close(fd_);
  }
  void accept_and_greet() {
    client_ = ::accept4(fd_, nullptr, nullptr, SOCK_CLOEXEC);
    send(R"({"QMP": {"version": {"qemu": {"micro": 22, "minor": 2, "major": 7}}, "capabilities": ["oob"]}})");
    auto caps = read_command();
    EXPECT_EQ(caps.at("execute"), "qmp_capabilities");
    reply(caps, "{}");
  }
  json::object read_command() {
    std::string line;
    for (;;) {
      if (auto nl = buffer_.find('\n'); nl != std::string::npos) {
        line = buffer_.substr(0, nl);
        buffer_.erase(0, nl + 1);
        return boost::json::parse(line).as_object();
      }
      char chunk[1024];
      auto n = ::read(client_, chunk, sizeof chunk);
      if (n <= 0) return {};
      buffer_.append(chunk, static_cast<std::size_t>(n));
    }
  }
  void send(const std::string& line) {
    auto text = line + "\r\n";
    ASSERT_EQ(::write(client_, text.data(), text.size()), static_cast<ssize_t>(text.size()));
  }
  void reply(const json::object& command, const std::string& result) {
    send(R"({"return": )" + result + R"(, "id": )" + json::serialize(command.at("id")) + "}");
  }
  void close_client() {
    if (client_ >= 0) ::close(client_);
    client_ = -1;
  }

 private:
  int fd_ = -1;
  int client_ = -1;
  std::string buffer_;
};

class QmpClientTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char pattern[] = "/tmp/mw-qmp-XXXXXX";
    dir_ = ::mkdtemp(pattern);
    path_ = dir_ + "/qmp.sock";
    thread_ = std::thread([this] { io_.run(); });
  }
  void TearDown() override {
    work_.reset();
    io_.stop();
    thread_.join();
    std::filesystem::remove_all(dir_);
  }

  boost::asio::io_context io_;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_{io_.get_executor()};
  std::thread thread_;
  std::string dir_;
  std::string path_;
};

TEST_F(QmpClientTest, MatchesRepliesByIdWhileEventsInterleave) {
  FakeQmp server(path_);
  std::thread script([&] {
    server.accept_and_greet();
    auto first = server.read_command();
    auto second = server.read_command();
    server.send(R"({"timestamp": {"seconds": 1, "microseconds": 2}, "event": "STOP"})");
    server.reply(second, R"({"status": "paused", "running": false})");
    server.send(R"({"event": "SHUTDOWN", "data": {"guest": true, "reason": "guest-shutdown"}, "timestamp": {}})");
    server.reply(first, R"({"actual": 134217728})");
  });
  QmpClient client(io_);
  std::promise<std::vector<QmpEvent>> events_done;
  std::vector<QmpEvent> events;
  client.on_event([&](const QmpEvent& e) {
    events.push_back(e);
    if (events.size() == 2) events_done.set_value(events);
  });
  client.connect(path_, 5s);
  EXPECT_TRUE(client.connected());
  std::promise<QmpResult> balloon, status;
  client.async_execute("query-balloon", {}, 5s, [&](QmpResult r) { balloon.set_value(std::move(r)); });
  client.async_execute("query-status", {}, 5s, [&](QmpResult r) { status.set_value(std::move(r)); });
  auto b = balloon.get_future().get();
  auto s = status.get_future().get();
  script.join();
  ASSERT_TRUE(b.ok);
  EXPECT_EQ(b.value.at("actual").to_number<std::int64_t>(), 134217728);
  ASSERT_TRUE(s.ok);
  EXPECT_EQ(s.value.at("status"), "paused");
  auto seen = events_done.get_future().get();
  EXPECT_EQ(seen[0].name, "STOP");
  EXPECT_TRUE(seen[0].data.is_null());
  EXPECT_EQ(seen[1].name, "SHUTDOWN");
  EXPECT_EQ(seen[1].data.at("reason"), "guest-shutdown");
}

TEST_F(QmpClientTest, SendsArgumentsAndReportsQmpErrorsWithTheirClass) {
  FakeQmp server(path_);
  json::object received;
  std::thread script([&] {
    server.accept_and_greet();
    received = server.read_command();
    server.send(R"({"error": {"class": "GenericError", "desc": "Could not set password"}, "id": )" +
                json::serialize(received.at("id")) + "}");
  });
  QmpClient client(io_);
  client.connect(path_, 5s);
  try {
    client.execute("set_password", {{"protocol", "vnc"}, {"password", "secret12"}});
    ADD_FAILURE() << "no error";
  } catch (const QmpError& e) {
    EXPECT_EQ(e.error_class(), "GenericError");
    EXPECT_STREQ(e.what(), "Could not set password");
  }
  script.join();
  EXPECT_EQ(received.at("execute"), "set_password");
  EXPECT_EQ(received.at("arguments").at("password"), "secret12");
}

TEST_F(QmpClientTest, TimesOutOneCommandAndStaysUsable) {
  FakeQmp server(path_);
  std::thread script([&] {
    server.accept_and_greet();
    server.read_command();  // never answered
    auto next = server.read_command();
    server.reply(next, "{}");
  });
  QmpClient client(io_);
  client.connect(path_, 5s);
  const auto start = std::chrono::steady_clock::now();
  try {
    client.execute("query-status", {}, 200ms);
    ADD_FAILURE() << "no timeout";
  } catch (const QmpError& e) {
    EXPECT_EQ(e.error_class(), "Timeout");
  }
  EXPECT_LT(std::chrono::steady_clock::now() - start, 3s);
  EXPECT_TRUE(client.execute("cont", {}, 5s).is_object());
  script.join();
}

TEST_F(QmpClientTest, ReportsDisconnectAndFailsPendingCommands) {
  FakeQmp server(path_);
  std::thread script([&] {
    server.accept_and_greet();
    server.read_command();
    server.close_client();
  });
  QmpClient client(io_);
  std::promise<std::string> disconnected;
  client.on_disconnect([&](const std::string& reason) { disconnected.set_value(reason); });
  client.connect(path_, 5s);
  try {
    client.execute("quit", {}, 5s);
    ADD_FAILURE() << "no error";
  } catch (const QmpError& e) {
    EXPECT_EQ(e.error_class(), "Disconnected");
  }
  script.join();
  auto f = disconnected.get_future();
  ASSERT_EQ(f.wait_for(5s), std::future_status::ready);
  EXPECT_EQ(f.get(), "QMP connection closed by QEMU");
  EXPECT_FALSE(client.connected());
}

TEST_F(QmpClientTest, StaleSocketIsConnectionRefused) {
  FakeQmp stale(path_, /*listen=*/false);  // a socket file nobody accepts on, as after SIGKILL
  QmpClient client(io_);
  try {
    client.connect(path_, 2s);
    ADD_FAILURE() << "connected";
  } catch (const std::system_error& e) {
    EXPECT_EQ(e.code(), std::errc::connection_refused);
  }
}

TEST_F(QmpClientTest, MissingGreetingTimesOut) {
  FakeQmp silent(path_);  // listens but never accepts: like a second client of a busy QMP socket
  QmpClient client(io_);
  try {
    client.connect(path_, 300ms);
    ADD_FAILURE() << "connected";
  } catch (const std::system_error& e) {
    EXPECT_EQ(e.code(), std::errc::timed_out);
  }
}

TEST_F(QmpClientTest, RefusesBlockingCallsOnTheIoThread) {
  FakeQmp server(path_);
  std::thread script([&] {
    server.accept_and_greet();
    server.send(R"({"event": "RESUME", "timestamp": {}})");
  });
  QmpClient client(io_);
  std::promise<std::string> outcome;
  client.on_event([&](const QmpEvent&) {
    try {
      client.execute("query-status");
      outcome.set_value("blocked");
    } catch (const std::logic_error& e) {
      outcome.set_value(e.what());
    }
  });
  client.connect(path_, 5s);
  script.join();
  EXPECT_EQ(outcome.get_future().get(), "blocking QMP call on the io_context thread");
}

}  // namespace
}  // namespace mw::vm::hypervisor::qemu
