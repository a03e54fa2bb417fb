#pragma once
// Relays bytes between a plugin WebSocket and a stream socket (the VM's serial console or VNC
// server, on a unix socket or TCP). Socket -> WebSocket as binary frames; WebSocket messages
// (text or binary) -> socket. When either side ends, the other is closed.
#include <functional>
#include <memory>
#include <string>
#include <system_error>

#include <boost/asio/any_io_executor.hpp>

#include <middlewared/http.hpp>

namespace mw::vm::console {

// Where to connect: a unix socket path, or host + port.
struct SocketTarget {
  std::string unix_path;
  std::string host;
  int port = 0;
  std::string describe() const;
};

class SocketBridge : public WebSocketHandler, public std::enable_shared_from_this<SocketBridge> {
 public:
  // Not connected yet: call connect(). Everything runs on a strand of `executor`.
  static std::shared_ptr<SocketBridge> create(boost::asio::any_io_executor executor,
                                              std::shared_ptr<WebSocketChannel> channel);
  ~SocketBridge() override;

  // Connects; `done` is called once (on the bridge's strand) with the outcome. On success the
  // relay starts at once; WebSocket messages received before that are held and then written.
  void connect(SocketTarget target, std::function<void(std::error_code)> done);

  void on_message(std::string data, bool binary) override;
  void on_close() override;

 private:
  SocketBridge(boost::asio::any_io_executor executor, std::shared_ptr<WebSocketChannel> channel);
  void read_loop();
  void write_next();
  void shut(int code, const std::string& reason);
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace mw::vm::console
