#pragma once
// One /_shell connection: waits for {"token", "options": {"vm_id"}}, checks the
// token with the auth plugin (its ShellTokenChecker) and the VM_WRITE role, then
// relays raw bytes between the WebSocket and the VM's serial console socket.
#include <deque>
#include <memory>
#include <mutex>
#include <string>

#include <middlewared/http.hpp>

namespace mw::vm::console {

class ConsoleService;
class SocketBridge;

class ShellSession : public WebSocketHandler, public std::enable_shared_from_this<ShellSession> {
 public:
  static std::shared_ptr<ShellSession> create(ConsoleService& console, PeerInfo peer,
                                              std::shared_ptr<WebSocketChannel> channel);

  void on_message(std::string data, bool binary) override;
  void on_close() override;

 private:
  ShellSession(ConsoleService& console, PeerInfo peer, std::shared_ptr<WebSocketChannel> channel);
  // On the console's worker pool: may block on the auth plugin's token check.
  void authenticate(const std::string& first_message);
  void fail(int errnum, const std::string& reason);
  void bridged(std::shared_ptr<SocketBridge> bridge);

  enum class Stage { AwaitingToken, Checking, Relaying, Closed };
  ConsoleService& console_;
  PeerInfo peer_;
  std::shared_ptr<WebSocketChannel> channel_;
  std::mutex mutex_;
  Stage stage_ = Stage::AwaitingToken;
  std::deque<std::string> early_input_;  // typed before the console was attached
  std::shared_ptr<SocketBridge> bridge_;
  std::string id_;  // the "connected" message's id, once relaying
};

}  // namespace mw::vm::console
