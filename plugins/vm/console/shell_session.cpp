#include "console/shell_session.hpp"

#include <spdlog/spdlog.h>

#include <middlewared/client_text.hpp>
#include <middlewared/errors.hpp>
#include <middlewared/guard.hpp>

#include "console/console_protocol.hpp"
#include "console/console_service.hpp"
#include "console/socket_bridge.hpp"

namespace mw::vm::console {

namespace {

std::string session_id() { return random_token().substr(0, 32); }

}  // namespace

std::shared_ptr<ShellSession> ShellSession::create(ConsoleService& console, PeerInfo peer,
                                                   std::shared_ptr<WebSocketChannel> channel) {
  return std::shared_ptr<ShellSession>(new ShellSession(console, std::move(peer), std::move(channel)));
}

ShellSession::ShellSession(ConsoleService& console, PeerInfo peer, std::shared_ptr<WebSocketChannel> channel)
    : console_(console), peer_(std::move(peer)), channel_(std::move(channel)) {}

void ShellSession::on_message(std::string data, bool) {
  std::shared_ptr<SocketBridge> bridge;
  {
    std::lock_guard lock(mutex_);
    switch (stage_) {
      case Stage::AwaitingToken:
        stage_ = Stage::Checking;
        console_.run_blocking([self = shared_from_this(), data = std::move(data)] {
          // The client waits for an answer to its first message: a failure nobody foresaw gets the fixed text.
          if (!run_guarded(self->console_.log(), "shell: the first message", [&] { self->authenticate(data); }))
            self->fail(EFAULT, std::string(kUnexpectedError));
        });
        return;
      case Stage::Checking:
        early_input_.push_back(std::move(data));
        return;
      case Stage::Relaying:
        bridge = bridge_;
        break;
      case Stage::Closed:
        return;
    }
  }
  bridge->on_message(std::move(data), true);
}

void ShellSession::on_close() {
  std::shared_ptr<SocketBridge> bridge;
  std::string id;
  {
    std::lock_guard lock(mutex_);
    stage_ = Stage::Closed;
    early_input_.clear();
    bridge = std::move(bridge_);
    id = std::move(id_);
  }
  if (!id.empty()) console_.shell_closed(id);
  if (bridge) bridge->on_close();
}

void ShellSession::fail(int errnum, const std::string& reason) {
  {
    std::lock_guard lock(mutex_);
    if (stage_ == Stage::Closed) return;
    stage_ = Stage::Closed;
  }
  channel_->send(shell_failed(errnum, reason), false);
  channel_->close(1000, reason);
}

void ShellSession::authenticate(const std::string& first_message) {
  ShellRequest request;
  try {
    request = parse_shell_request(first_message);
  } catch (const std::invalid_argument& e) {
    return fail(std::string_view(e.what()) == "Invalid token" ? ENOTAUTHENTICATED : EINVAL, e.what());
  }
  std::shared_ptr<const Credentials> who;
  try {
    who = console_.shell_tokens().check_shell_token(request.token, peer_);
  } catch (const std::exception& e) {
    console_.log()->warn("shell: token check failed: {}", log_text(e.what()));
    return fail(ENOTAUTHENTICATED, "Invalid token");
  }
  if (!who) return fail(ENOTAUTHENTICATED, "Invalid token");
  if (!request.vm_id) return fail(EINVAL, "Only VM serial consoles are served here: options.vm_id is required");
  if (!who->has_role("VM_WRITE")) return fail(EACCES, "Missing required role for VM shell: VM_WRITE");
  channel_->set_authenticated();  // a console may sit idle for hours

  VmConfig vm;
  try {
    vm = console_.vm_fields(*request.vm_id);
  } catch (const std::exception&) {
    return fail(ENOENT, "VM " + std::to_string(*request.vm_id) + " does not exist");
  }
  auto files = console_.files(vm);
  const std::string name = vm.name;
  if (!files || files->serial_socket.empty()) return fail(ENOENT, "VM '" + name + "' has no serial console");

  auto bridge = SocketBridge::create(console_.io_executor(), channel_);
  auto self = shared_from_this();
  bridge->connect(SocketTarget{files->serial_socket, {}, 0}, [self, bridge, name](std::error_code ec) {
    if (ec) return self->fail(ESRCH, "VM '" + name + "' is not running");
    self->bridged(bridge);
  });
}

// On the bridge's strand, before it relays anything: "connected" goes out first.
void ShellSession::bridged(std::shared_ptr<SocketBridge> bridge) {
  std::deque<std::string> early;
  std::string id;
  {
    std::lock_guard lock(mutex_);
    if (stage_ == Stage::Closed) return bridge->on_close();
    stage_ = Stage::Relaying;
    bridge_ = bridge;
    early.swap(early_input_);
    id_ = session_id();
    id = id_;
  }
  console_.shell_opened(id);  // core.resize_shell knows it from now on
  channel_->send(shell_connected(id), false);
  for (auto& input : early) bridge->on_message(std::move(input), true);
}

}  // namespace mw::vm::console
