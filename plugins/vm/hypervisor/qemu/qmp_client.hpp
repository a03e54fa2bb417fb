#pragma once
// A QMP client on a unix socket, asynchronous on Boost.Asio: greeting, capabilities negotiation,
// commands matched to replies by id (events interleave), per-command timeouts, events and the
// end of the connection reported through callbacks. Callbacks run on the io_context's thread.
// The blocking wrappers are for worker threads; calling them on the io_context thread throws.
#include <chrono>
#include <functional>
#include <memory>
#include <stdexcept>
#include <string>
#include <system_error>

#include <middlewared/json.hpp>

namespace boost::asio {
class io_context;
}

namespace mw::vm::hypervisor::qemu {

struct QmpEvent {
  std::string name;
  json::value data;  // null when the event has none
  json::value timestamp;
};

// The outcome of one command: either `value` (the "return") or an error.
struct QmpResult {
  bool ok = false;
  json::value value;
  std::string error_class;  // "GenericError", "CommandNotFound", or ours: "Timeout", "Disconnected"
  std::string error_desc;
};

class QmpError : public std::runtime_error {
 public:
  QmpError(std::string error_class, const std::string& desc)
      : std::runtime_error(desc), error_class_(std::move(error_class)) {}
  const std::string& error_class() const { return error_class_; }

 private:
  std::string error_class_;
};

class QmpClient {
 public:
  using Clock = std::chrono::steady_clock;
  using EventHandler = std::function<void(const QmpEvent&)>;
  using DisconnectHandler = std::function<void(const std::string& reason)>;
  using ConnectHandler = std::function<void(std::error_code, const std::string& message)>;
  using ResultHandler = std::function<void(QmpResult)>;

  explicit QmpClient(boost::asio::io_context& io);
  ~QmpClient();
  QmpClient(const QmpClient&) = delete;
  QmpClient& operator=(const QmpClient&) = delete;

  // Set before connecting.
  void on_event(EventHandler handler);
  void on_disconnect(DisconnectHandler handler);

  // Connects, reads the greeting and negotiates capabilities. The error code is the socket's
  // (connection_refused for a stale socket, no_such_file_or_directory before QEMU made it) or
  // timed_out; message says what failed.
  void async_connect(const std::string& socket_path, std::chrono::milliseconds timeout, ConnectHandler handler);
  void async_execute(const std::string& command, json::object arguments, std::chrono::milliseconds timeout,
                     ResultHandler handler);
  // Closes the socket; pending commands complete with "Disconnected".
  void close();
  bool connected() const;

  // Blocking forms. execute throws QmpError on a QMP error, timeout or disconnect.
  void connect(const std::string& socket_path, std::chrono::milliseconds timeout);
  json::value execute(const std::string& command, json::object arguments = {},
                      std::chrono::milliseconds timeout = std::chrono::seconds(10));

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

}  // namespace mw::vm::hypervisor::qemu
