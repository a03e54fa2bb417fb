#pragma once
// A real WebSocket JSON-RPC 2.0 client (Boost.Beast), blocking, for tests and benchmarks.
#include <chrono>
#include <deque>
#include <filesystem>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

namespace mw::test {

struct RpcError : std::runtime_error {
  RpcError(int code, std::string message, boost::json::value data);
  int code;
  std::string message;
  boost::json::value data;
  // data.reason, or the message when there is no data.
  std::string reason() const;
};

// The connection was closed by the server: code and reason of its close frame (0/"" if none).
struct ConnectionClosed : std::runtime_error {
  ConnectionClosed(int code, std::string reason);
  int code;
  std::string reason;
};

class RpcClient {
 public:
  static RpcClient unix_socket(const std::filesystem::path& sock, std::string path = "/api/current");
  static RpcClient tcp(uint16_t port, std::string path = "/api/current");
  // TCP to another local address than 127.0.0.1 (tests of non-loopback peers).
  static RpcClient tcp_to(const std::string& address, uint16_t port, std::string path = "/api/current");
  // wss:// to the TLS listener (certificate not verified: tests use a throw-away self-signed one).
  // Defined in tls_rpc_client.cpp: link mw_test_tls to use it.
  static RpcClient tls_to(const std::string& address, uint16_t port, std::string path = "/api/current");
  RpcClient(RpcClient&&) noexcept;
  RpcClient& operator=(RpcClient&&) noexcept;
  ~RpcClient();

  // Calls a method and returns "result"; throws RpcError when the answer is an error.
  boost::json::value call(const std::string& method, boost::json::array params = {});
  // Sends one request object (an "id" is added when missing) and returns the answer with that id.
  // Notifications that arrive meanwhile are queued for next_notification().
  boost::json::object request(boost::json::object message);

  void send_text(const std::string& frame);
  void send_binary(const std::string& frame);
  // The next message of any kind; throws ConnectionClosed, or std::runtime_error on timeout.
  std::string receive_text(std::chrono::milliseconds timeout = std::chrono::seconds(30));
  // The next notification (message without id), queued or newly received; nullopt on timeout.
  std::optional<boost::json::object> next_notification(std::chrono::milliseconds timeout);
  // Messages with an id other than the one awaited are kept for answer_for().
  boost::json::object answer_for(const boost::json::value& id,
                                 std::chrono::milliseconds timeout = std::chrono::seconds(60));

  struct Impl;  // transport-specific; public only so the .cpp's templates can derive from it

 private:
  explicit RpcClient(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace mw::test
