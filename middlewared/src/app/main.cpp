// middlewared: configuration, logging, wiring, signal handling.
#include <sys/resource.h>

#include <csignal>
#include <fstream>
#include <iostream>
#include <thread>

#include <CLI/CLI.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/json/serialize.hpp>
#include <spdlog/sinks/rotating_file_sink.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include "app/ini_config.hpp"
#include "app/plugin_host.hpp"
#include "app/schemas.hpp"
#include "events/event_hub.hpp"
#include "jobs/job_manager.hpp"
#include "rpc/dispatcher.hpp"
#include "rpc/method_table.hpp"
#include "schema/check_schema_cli.hpp"
#include "server/server.hpp"
#include "register_all.hpp"

#ifndef MW_VERSION
#define MW_VERSION "0.0.0"
#endif

namespace {

using namespace mw;

struct Flags {
  std::string config_file;
  std::string listen;
  std::string socket;
  std::string state_dir;
  std::string log_level;
  std::vector<std::string> check_schema;
  std::string check_config;
  std::string schema_dir;
};

// Embedded defaults (README): state under ./var, unix socket ./var/run/middlewared.sock, TCP on loopback.
app::IniConfig make_config(const Flags& f) {
  app::IniConfig cfg = f.config_file.empty() ? app::IniConfig{} : app::IniConfig::load(f.config_file);
  auto flag_or = [&](const std::string& flag, const char* key, std::string fallback) {
    if (!flag.empty()) return cfg.set("server", key, flag);
    if (!cfg.get("server", key)) cfg.set("server", key, std::move(fallback));
  };
  flag_or(f.state_dir, "state_dir", "./var");
  std::filesystem::path state = std::filesystem::absolute(*cfg.get("server", "state_dir")).lexically_normal();
  cfg.set_state_dir(state);
  flag_or(f.socket, "socket", (state / "run" / "middlewared.sock").string());
  flag_or(f.listen, "listen", "127.0.0.1:6000");
  flag_or(f.log_level, "log_level", "info");
  return cfg;
}

void setup_logging(const app::IniConfig& cfg) {
  std::vector<spdlog::sink_ptr> sinks{std::make_shared<spdlog::sinks::stderr_color_sink_mt>()};
  if (auto file = cfg.get("server", "log_file"); file && !file->empty())
    sinks.push_back(std::make_shared<spdlog::sinks::rotating_file_sink_mt>(*file, 10u << 20, 5));
  auto log = std::make_shared<spdlog::logger>("middlewared", sinks.begin(), sinks.end());
  auto level = spdlog::level::from_str(cfg.get_or("server", "log_level", "info"));
  log->set_level(level);
  spdlog::set_default_logger(log);
  spdlog::set_level(level);
}

std::string boot_id() {
  std::ifstream in("/proc/sys/kernel/random/boot_id");
  std::string id;
  std::getline(in, id);
  return id;
}

std::optional<server::HttpResponse> http_routes(const std::string& target) {
  std::string_view path = std::string_view(target).substr(0, target.find('?'));
  if (path == "/api/versions") return server::HttpResponse{200, "application/json", R"(["v26.0.0","v27.0.0"])"};
  if (path == "/api/boot_id") return server::HttpResponse{200, "application/json", json::serialize(json::value(boot_id()))};
  return std::nullopt;
}

int run_daemon(app::IniConfig& cfg, const std::string& schema_dir) {
  auto log = spdlog::default_logger();
  std::filesystem::create_directories(cfg.state_dir());

  boost::asio::io_context io(1);
  events::EventHub hub;
  hub.add_source({"core.get_jobs", "Job updates", {}, {}});
  auto workers = static_cast<std::size_t>(cfg.get_int("server", "worker_threads", 8));
  jobs::JobManager jobs(hub, static_cast<std::size_t>(cfg.get_int("server", "job_threads", 32)));
  rpc::MethodTable methods;
  app::PluginHost host(methods, hub, jobs, cfg, io);

  try {
    for (auto& p : plugins::all_plugins()) host.add_plugin(std::move(p));
    host.setup_all();
    methods.compile(schema_dir.empty() ? app::embedded_schemas() : app::schemas_from_directory(schema_dir));
  } catch (const std::exception& e) {
    log->critical("cannot start: {}", e.what());
    return 1;
  }
  log->info("{} methods registered", methods.size());

#ifdef NDEBUG
  const bool check_results = cfg.get_bool("server", "check_results", false);
#else
  const bool check_results = cfg.get_bool("server", "check_results", true);
#endif
  rpc::Dispatcher dispatcher(methods, jobs, workers, log, check_results);

  server::ServerOptions options;
  if (auto listen = cfg.get_or("server", "listen", ""); !listen.empty()) options.tcp_listen = listen;
  if (auto sock = cfg.get_or("server", "socket", ""); !sock.empty()) options.unix_path = std::filesystem::absolute(sock);
  options.tcp_port_file = cfg.state_dir() / "run" / "middlewared.tcp";
  server::Server server(io, options, dispatcher, hub, http_routes, log);
  try {
    server.start();
    host.start_all();
  } catch (const std::exception& e) {
    log->critical("cannot start: {}", e.what());
    return 1;
  }

  boost::asio::signal_set signals(io, SIGINT, SIGTERM);
  signals.async_wait([&](const boost::system::error_code&, int sig) {
    log->info("signal {} received, shutting down", sig);
    server.stop();
    io.stop();
  });
  log->info("middlewared {} ready (state dir {})", MW_VERSION, cfg.state_dir().string());
  io.run();

  host.stop_all();
  dispatcher.shutdown();
  jobs.shutdown();
  log->info("stopped");
  return 0;
}

}  // namespace

// Each client holds a descriptor; the usual soft limit of 1024 is too low for a server.
void raise_open_file_limit() {
  rlimit lim{};
  if (getrlimit(RLIMIT_NOFILE, &lim) == 0 && lim.rlim_cur < lim.rlim_max) {
    lim.rlim_cur = lim.rlim_max;
    setrlimit(RLIMIT_NOFILE, &lim);
  }
}

int main(int argc, char** argv) {
  std::signal(SIGPIPE, SIG_IGN);
  raise_open_file_limit();
  CLI::App cli{"middlewared: TrueNAS-compatible virtual machine middleware daemon"};
  Flags f;
  cli.set_version_flag("--version", std::string("middlewared ") + MW_VERSION);
  cli.add_option("-c,--config", f.config_file, "Configuration file (INI)");
  cli.add_option("--listen", f.listen, "TCP listen address HOST:PORT (\"\" disables TCP)");
  cli.add_option("--socket", f.socket, "Unix socket path");
  cli.add_option("--state-dir", f.state_dir, "State directory (databases, VM runtime files, logs)");
  cli.add_option("--log-level", f.log_level, "trace, debug, info, warn, error, critical, off");
  cli.add_option("--check-schema", f.check_schema, "Validate INSTANCE.json against SCHEMA.json and exit")
      ->expected(2)
      ->type_name("SCHEMA INSTANCE");
  cli.add_option("--check-config", f.check_config, "Validate a configuration file and exit");
  cli.add_option("--schemas", f.schema_dir, "Load method schemas from this directory instead of the embedded ones");
  CLI11_PARSE(cli, argc, argv);

  if (!f.check_schema.empty())
    return mw::schema::check_schema_files(f.check_schema[0], f.check_schema[1], std::cout, std::cerr);
  try {
    if (!f.check_config.empty()) {
      auto cfg = app::IniConfig::load(f.check_config);
      std::cout << f.check_config << ": OK (" << cfg.keys().size() << " settings)\n";
      return 0;
    }
    auto cfg = make_config(f);
    setup_logging(cfg);
    return run_daemon(cfg, f.schema_dir);
  } catch (const std::exception& e) {
    std::cerr << "middlewared: " << e.what() << "\n";
    return 1;
  }
}
