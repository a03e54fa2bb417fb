#pragma once
// The VM consoles: the serial console log (vm.log_file_path, vm.log_file_download),
// the interactive serial console over /_shell and /websocket/shell, and the web
// displays under /vm/display/<device id>/: noVNC for VNC devices, spice-html5 for SPICE ones, each
// with a WebSocket proxy to the VM's display server.
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>

#include <middlewared/method.hpp>
#include <middlewared/plugin.hpp>
#include <middlewared/services.hpp>

#include "console/access_tokens.hpp"
#include "console/console_files.hpp"
#include "console/socket_bridge.hpp"
#include "model/device_config.hpp"

namespace mw::vm {
struct VmState;
}  // namespace mw::vm

namespace mw::vm::console {

class ConsoleService {
 public:
  ConsoleService(PluginContext& ctx, VmState& state, ConsoleFilesFn files);
  ~ConsoleService();

  // Registers the HTTP and WebSocket routes.
  void add_routes();

  json::value log_file_path(int64_t vm_id) const;
  // Through core.download: streams the log into the job's pipe and answers null, as TrueNAS does.
  // As a plain job (midclt): {"path", "size", "url": "/_download/<job>?auth_token=<single-use token>"}.
  json::value log_file_download(int64_t vm_id, Job& job, const CallContext& call);
  json::value display_web_uri(int64_t vm_id, const std::string& host, const json::object& options,
                              const CallContext& call);

  // Runs blocking work (in-process calls) away from the network thread.
  void run_blocking(std::function<void()> task);
  boost::asio::any_io_executor io_executor() { return ctx_.io_executor(); }
  PluginContext& context() { return ctx_; }
  // The auth plugin's check of /_shell tokens (the vm plugin depends on auth).
  ShellTokenChecker& shell_tokens() { return shell_tokens_; }
  std::shared_ptr<spdlog::logger> log() const { return log_; }

  // The VM's stored fields; throws ValidationErrors "VM <id> does not exist" (ENOENT).
  VmConfig vm_fields(int64_t vm_id) const;
  std::optional<ConsoleFiles> files(const VmConfig& vm) const { return files_(vm); }
  // Open serial consoles by the id their "connected" message gave, for core.resize_shell.
  void shell_opened(const std::string& id);
  void shell_closed(const std::string& id);
  // core.resize_shell(id, cols, rows): null for an open console, else CallError ENOENT. A serial
  // port carries no window size, so there is nothing to pass on to the guest.
  json::value resize_shell(const std::string& id, int64_t cols, int64_t rows) const;

  // Where the VNC or SPICE server of a DISPLAY device listens (TCP port or the VM's unix socket).
  std::optional<SocketTarget> display_target(const DeviceConfig& display) const;

 private:
  static void copy_file_to(const std::string& path, JobOutput& out, const Job& job);
  HttpReply display_page(const HttpRequest& req);
  std::shared_ptr<WebSocketHandler> display_socket(const HttpRequest& req, std::shared_ptr<WebSocketChannel> channel);
  std::shared_ptr<WebSocketHandler> shell_socket(const HttpRequest& req, std::shared_ptr<WebSocketChannel> channel);
  std::optional<DeviceConfig> display_device(int64_t device_id) const;
  // "HOST:PORT" of the daemon's TCP listener as the caller reached it.
  std::string web_authority(const std::string& host, const CallContext& call) const;

  PluginContext& ctx_;
  ShellTokenChecker& shell_tokens_;
  VmState& state_;
  ConsoleFilesFn files_;
  std::filesystem::path novnc_dir_;
  std::filesystem::path spice_html5_dir_;
  std::shared_ptr<spdlog::logger> log_;
  AccessTokens tokens_;
  struct Pool;
  std::unique_ptr<Pool> pool_;
  mutable std::mutex shells_mutex_;
  std::set<std::string, std::less<>> shells_;
};

// The vm.* methods of this folder (schemas/vm/log_file_path, log_file_download, get_display_web_uri).
void register_console_methods(PluginContext& ctx, ConsoleService& console);

// Creates the service, its routes and its methods; the plugin keeps the returned object alive.
std::unique_ptr<ConsoleService> register_console(PluginContext& ctx, VmState& state, ConsoleFilesFn files);

}  // namespace mw::vm::console
