#include "console/console_service.hpp"

#include <fstream>

#include <spdlog/spdlog.h>
#include <boost/asio/post.hpp>

#include <middlewared/errors.hpp>
#include <middlewared/worker_pool.hpp>

#include "console/console_protocol.hpp"
#include "console/shell_session.hpp"
#include "method_tables.hpp"
#include "vm_state.hpp"

namespace mw::vm::console {

namespace fs = std::filesystem;

namespace {

constexpr std::chrono::seconds kDisplayTokenTtl{3600};

HttpReply text_reply(int status, std::string body) {
  return HttpReply{status, "text/plain", std::move(body), std::nullopt, {}};
}

std::string str_attr(const json::object& o, const char* key, std::string fallback = {}) {
  const json::value* v = o.if_contains(key);
  return v && v->is_string() ? std::string(v->get_string()) : fallback;
}

std::string bracketed(const std::string& host) {
  return host.find(':') != std::string::npos && host.front() != '[' ? "[" + host + "]" : host;
}

// "host:123" or "[v6]:123" already carry a port.
bool has_port(const std::string& host) {
  auto colon = host.rfind(':');
  if (colon == std::string::npos || colon + 1 == host.size()) return false;
  if (host.find(':') != colon && host.front() != '[') return false;  // a bare IPv6 address
  return host.find_first_not_of("0123456789", colon + 1) == std::string::npos;
}

}  // namespace

struct ConsoleService::Pool {
  explicit Pool(std::shared_ptr<spdlog::logger> log) : pool(2, "console pool", std::move(log)) {}
  WorkerPool pool;
};

ConsoleService::ConsoleService(PluginContext& ctx, VmState& state, ConsoleFilesFn files)
    : ctx_(ctx),
      shell_tokens_(ctx.require<ShellTokenChecker>()),
      state_(state),
      files_(std::move(files)),
      novnc_dir_(ctx.config().get_or("vm", "novnc_dir", "/usr/share/novnc")),
      spice_html5_dir_(ctx.config().get_or("vm", "spice_html5_dir", "/usr/share/spice-html5")),
      log_(ctx.logger("vm.console")),
      pool_(std::make_unique<Pool>(log_)) {}

ConsoleService::~ConsoleService() { pool_->pool.join(); }

void ConsoleService::run_blocking(std::function<void()> task) {
  boost::asio::post(pool_->pool.get_executor(), std::move(task));
}

void ConsoleService::add_routes() {
  ctx_.add_http_route("/vm/display/", [this](const HttpRequest& r) { return display_page(r); });
  ctx_.add_websocket_route("/vm/display/", [this](const HttpRequest& r, std::shared_ptr<WebSocketChannel> ch) {
    return display_socket(r, std::move(ch));
  });
  // /websocket/shell is what clients behind TrueNAS's nginx use; /_shell is the daemon's own path.
  for (const char* path : {"/_shell", "/websocket/shell"}) {
    ctx_.add_websocket_route(path, [this](const HttpRequest& r, std::shared_ptr<WebSocketChannel> ch) {
      return shell_socket(r, std::move(ch));
    });
  }
}

VmConfig ConsoleService::vm_fields(int64_t vm_id) const {
  auto vm = state_.catalog.vm(vm_id);
  if (!vm) throw ValidationErrors::single(std::nullopt, "VM " + std::to_string(vm_id) + " does not exist", ENOENT);
  return *vm;
}

json::value ConsoleService::log_file_path(int64_t vm_id) const {
  auto f = files_(vm_fields(vm_id));
  std::error_code ec;
  if (!f || f->serial_log.empty() || !fs::is_regular_file(f->serial_log, ec)) return nullptr;
  return json::string(f->serial_log);
}

json::value ConsoleService::log_file_download(int64_t vm_id, Job& job, const CallContext& call) {
  auto f = files_(vm_fields(vm_id));
  std::string path = f ? f->serial_log : std::string();
  std::error_code ec;
  const bool exists = !path.empty() && fs::is_regular_file(path, ec);
  if (JobOutput* out = job.output()) {
    // Started through core.download: the log goes down the pipe, as TrueNAS streams it (an
    // empty body when there is no log yet).
    if (exists) copy_file_to(path, *out, job);
    return nullptr;
  }
  const auto size = exists ? static_cast<int64_t>(fs::file_size(path, ec)) : int64_t{0};
  std::string filename = exists ? fs::path(path).filename().string() : "vm.log";
  std::string url = ctx_.offer_download(job.id(), path, std::move(filename), call.peer());
  return json::object{
      {"path", exists ? json::value(path) : json::value(nullptr)}, {"size", ec ? 0 : size}, {"url", std::move(url)}};
}

void ConsoleService::copy_file_to(const std::string& path, JobOutput& out, const Job& job) {
  std::ifstream in(path, std::ios::binary);
  std::string buffer(64 * 1024, '\0');
  while (in.read(buffer.data(), static_cast<std::streamsize>(buffer.size())) || in.gcount() > 0) {
    job.check_abort();
    out.write(std::string_view(buffer.data(), static_cast<std::size_t>(in.gcount())));
  }
}

void ConsoleService::shell_opened(const std::string& id) {
  std::lock_guard lock(shells_mutex_);
  shells_.insert(id);
}

void ConsoleService::shell_closed(const std::string& id) {
  std::lock_guard lock(shells_mutex_);
  shells_.erase(id);
}

json::value ConsoleService::resize_shell(const std::string& id, int64_t, int64_t) const {
  std::lock_guard lock(shells_mutex_);
  if (!shells_.contains(id)) throw CallError("Shell does not exist", ENOENT);
  return nullptr;
}

std::optional<DeviceConfig> ConsoleService::display_device(int64_t device_id) const {
  auto device = state_.catalog.device(device_id);
  if (!device || !device->get<DisplayAttributes>()) return std::nullopt;
  return device;
}

HttpReply ConsoleService::display_page(const HttpRequest& req) {
  auto where = parse_display_path(req.path);
  if (!where || !display_device(where->device_id)) return text_reply(404, "Not found\n");
  if (req.path.back() != '/' && where->rest.empty()) {
    // The viewer's relative links need the trailing slash.
    HttpReply r = text_reply(301, "Moved\n");
    r.headers.emplace_back("Location", req.path + "/" + (req.query.empty() ? "" : "?" + req.query));
    return r;
  }
  // Each protocol has its viewer: Debian's spice-html5 for SPICE, noVNC for VNC.
  const bool spice = display_device(where->device_id)->get<DisplayAttributes>()->type == "SPICE";
  auto file =
      spice ? static_file(spice_html5_dir_, where->rest, "spice_auto.html") : static_file(novnc_dir_, where->rest);
  std::error_code ec;
  if (!file || !fs::is_regular_file(*file, ec)) return text_reply(404, "Not found\n");
  HttpReply reply{200, content_type_for(*file), {}, *file, {}};
  reply.headers.emplace_back("Cache-Control", "no-cache");
  return reply;
}

std::optional<SocketTarget> ConsoleService::display_target(const DeviceConfig& display) const {
  const auto& a = *display.get<DisplayAttributes>();
  const std::string& type = a.type;
  if (type != "VNC" && type != "SPICE") return std::nullopt;
  if (int64_t port = a.port.value_or(0); port > 0) {
    std::string bind = a.bind;
    if (bind == "0.0.0.0" || bind.empty()) bind = "127.0.0.1";
    if (bind == "::") bind = "::1";
    return SocketTarget{{}, bind, static_cast<int>(port)};
  }
  auto vm = state_.catalog.vm(display.vm);
  auto f = vm ? files_(*vm) : std::nullopt;
  const std::string socket = !f ? std::string() : type == "VNC" ? f->vnc_socket : f->spice_socket;
  if (socket.empty()) return std::nullopt;
  return SocketTarget{socket, {}, 0};
}

std::shared_ptr<WebSocketHandler> ConsoleService::display_socket(const HttpRequest& req,
                                                                 std::shared_ptr<WebSocketChannel> channel) {
  auto where = parse_display_path(req.path);
  if (!where) return nullptr;
  auto device = display_device(where->device_id);
  if (!device) return nullptr;
  // A root peer on the unix socket is the administrator itself; others need a token.
  const bool unix_root = req.peer.transport == PeerInfo::Transport::Unix && req.peer.uid && *req.peer.uid == 0;
  if (!unix_root) {
    // noVNC carries the token in the WebSocket's query; spice-html5 sets it as a cookie.
    auto token = query_param(req.query, "token");
    if (!token)
      if (auto cookie = req.headers.find("cookie"); cookie != req.headers.end())
        token = cookie_value(cookie->second, "token");
    if (!token || !tokens_.redeem(*token, "display", device->id, Clock::now())) return nullptr;
  }
  channel->set_authenticated();  // a display may sit idle for hours
  auto target = display_target(*device);
  if (!target) return nullptr;
  auto bridge = SocketBridge::create(ctx_.io_executor(), channel);
  bridge->connect(*target, [channel, log = log_, what = target->describe()](std::error_code ec) {
    if (!ec) return;
    log->info("display proxy: cannot reach the display server at {}: {}", what, ec.message());
    channel->close(1011, "The VM's display is not reachable (is the VM running?)");
  });
  return bridge;
}

std::shared_ptr<WebSocketHandler> ConsoleService::shell_socket(const HttpRequest& req,
                                                               std::shared_ptr<WebSocketChannel> channel) {
  return ShellSession::create(*this, req.peer, std::move(channel));
}

std::string ConsoleService::web_authority(const std::string& host, const CallContext& call) const {
  if (!host.empty() && has_port(host)) return host;
  std::string listener;  // "127.0.0.1:6000", written by the server once it listens
  std::ifstream(ctx_.config().state_dir() / "run" / "middlewared.tcp") >> listener;
  auto colon = listener.rfind(':');
  std::string port = colon == std::string::npos ? std::string() : listener.substr(colon + 1);
  std::string h = host;
  if (h.empty()) {
    const PeerInfo* peer = call.peer();
    if (peer && peer->transport == PeerInfo::Transport::Tcp && !peer->local_address.empty()) {
      h = peer->local_address;
    } else {
      h = colon == std::string::npos ? "127.0.0.1" : listener.substr(0, colon);
      if (h == "0.0.0.0") h = "127.0.0.1";
    }
  }
  h = bracketed(h);
  return port.empty() ? h : h + ":" + port;
}

json::value ConsoleService::display_web_uri(int64_t vm_id, const std::string& host, const json::object& options,
                                            const CallContext& call) {
  vm_fields(vm_id);
  std::optional<DisplayAttributes> any, web;
  std::int64_t web_id = 0;
  for (auto& d : state_.catalog.devices_of(vm_id)) {
    auto* display = d.get<DisplayAttributes>();
    if (!display) continue;
    if (!any) any = *display;
    if (!web && display->web) web = *display, web_id = d.id;
  }
  auto failed = [](const char* error) { return json::object{{"uri", nullptr}, {"error", error}}; };
  if (!any) return failed("Display device is not configured for this VM");
  if (!web) return failed("Web display is not configured");

  std::string protocol = str_attr(options, "protocol", "HTTP") == "HTTPS" ? "https" : "http";
  // The token lets the viewer's WebSocket through the proxy (multi-use: SPICE opens a socket per channel).
  std::string token = tokens_.issue({"display", web_id, {}}, kDisplayTokenTtl, false, Clock::now());
  const std::string base = "vm/display/" + std::to_string(web_id) + "/";
  std::string uri = protocol + "://" + web_authority(host, call) + "/" + base;
  if (web->type == "SPICE") {
    // TrueNAS's URI, then the token (spice_auto.html keeps it as a cookie for its sockets).
    uri += "spice_auto.html?path=" + percent_encode(base) + "&autoconnect=1&token=" + token;
  } else {
    uri += "vnc.html?autoconnect=1&resize=scale&path=" + percent_encode(base + "websockify?token=" + token);
  }
  std::string password = web->password.value_or("");
  if (!password.empty() && sees_secrets(call, "VM_WRITE")) uri += "&password=" + percent_encode(password);
  return json::object{{"uri", uri}, {"error", nullptr}};
}

std::unique_ptr<ConsoleService> register_console(PluginContext& ctx, VmState& state, ConsoleFilesFn files) {
  auto service = std::make_unique<ConsoleService>(ctx, state, std::move(files));
  service->add_routes();
  register_console_methods(ctx, *service);
  return service;
}

}  // namespace mw::vm::console
