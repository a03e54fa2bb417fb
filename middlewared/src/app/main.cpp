// middlewared: configuration, logging, wiring, signal handling.
#include <malloc.h>
#include <sys/resource.h>

#include <algorithm>
#include <csignal>
#include <fstream>
#include <iostream>
#include <optional>
#include <thread>

#include <spdlog/sinks/rotating_file_sink.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>
#include <CLI/CLI.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/json/serialize.hpp>

#include <middlewared/guard.hpp>
#include <middlewared/result_text.hpp>

#include "app/api_docs.hpp"
#include "app/boot_checks.hpp"
#include "app/ini_config.hpp"
#include "app/log_settings.hpp"
#include "app/operations.hpp"
#include "app/plugin_host.hpp"
#include "app/schemas.hpp"
#include "app/systemd_notify.hpp"
#include "app/ui_route.hpp"
#include "events/event_hub.hpp"
#include "jobs/job_manager.hpp"
#include "register_all.hpp"
#include "rpc/dispatcher.hpp"
#include "rpc/method_table.hpp"
#include "schema/check_schema_cli.hpp"
#include "server/server.hpp"

#ifndef MW_VERSION
#define MW_VERSION "0.0.0"
#endif

namespace {

using namespace mw;

struct Flags {
  std::string config_file;
  std::optional<std::string> listen;  // set, even to "", overrides the file ("" disables TCP)
  std::string tls_listen;
  std::string socket;
  std::string state_dir;
  std::string log_level;
  std::vector<std::string> check_schema;
  std::string check_config;
  std::string schema_dir;
  std::string api_docs_dir;
  bool check_results = false;
  std::vector<std::pair<SettingFlag, std::string>> settings;  // plugin flags and their values ("" = not given)
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
  if (f.listen) {
    cfg.set("server", "listen", *f.listen);
  } else if (!cfg.get("server", "listen")) {
    cfg.set("server", "listen", "127.0.0.1:6000");
  }
  if (!f.tls_listen.empty()) cfg.set("server", "tls_listen", f.tls_listen);  // no TLS unless asked for
  if (f.check_results) cfg.set("server", "check_results", "fail");
  flag_or(f.log_level, "log_level", "info");
  if (!f.log_level.empty()) cfg.set("log", "level", f.log_level);  // the flag beats [log] level
  for (const auto& [setting, value] : f.settings)
    if (!value.empty()) cfg.set(setting.section, setting.key, value);
  return cfg;
}

std::string boot_id() {
  std::ifstream in("/proc/sys/kernel/random/boot_id");
  std::string id;
  std::getline(in, id);
  return id;
}

std::optional<server::HttpResponse> api_page(const std::string& target) {
  std::string_view path = std::string_view(target).substr(0, target.find('?'));
  if (path == "/api/versions") return server::HttpResponse{200, "application/json", R"(["v26.0.0","v27.0.0"])"};
  if (path == "/api/boot_id")
    return server::HttpResponse{200, "application/json", json::serialize(json::value(boot_id()))};
  return std::nullopt;
}

// [server] check_results: `fail` (what --check-results sets, and every test daemon runs with) fails
// a call whose result breaks its method's result schema; true only logs the breach (the default
// of builds without NDEBUG); false checks nothing.
rpc::ResultCheck result_check(const app::IniConfig& cfg) {
  if (cfg.get_or("server", "check_results", "") == "fail") return rpc::ResultCheck::fail;
#ifdef NDEBUG
  const bool log_breaches = cfg.get_bool("server", "check_results", false);
#else
  const bool log_breaches = cfg.get_bool("server", "check_results", true);
#endif
  return log_breaches ? rpc::ResultCheck::log : rpc::ResultCheck::off;
}

int run_daemon(app::IniConfig& cfg, const std::string& schema_dir, const app::SystemdNotifier& systemd,
               const std::string& api_docs_dir = {}) {
  auto log = spdlog::default_logger();
  std::filesystem::create_directories(cfg.state_dir());

  boost::asio::io_context io(1);
  events::EventHub hub;
  hub.add_source({"core.get_jobs", "Job updates", {}, {}});
  auto workers = static_cast<std::size_t>(cfg.get_int("server", "worker_threads", 8));
  jobs::JobManager jobs(hub, static_cast<std::size_t>(cfg.get_int("server", "job_threads", 32)));
  jobs.keep_logs_in(cfg.state_dir() / "jobs");
  rpc::MethodTable methods;
  app::PluginHost host(methods, hub, jobs, cfg, io);
  app::Operations ops(host, hub, jobs, MW_VERSION, log);  // registers audit.query

  try {
    for (auto& p : plugins::all_plugins()) host.add_plugin(std::move(p));
    host.setup_all();
    auto schema_files = schema_dir.empty() ? app::embedded_schemas() : app::schemas_from_directory(schema_dir);
    methods.compile(schema_files);
    if (auto problems = app::contract_problems(methods.infos(), schema_files, host.roles()); !problems.empty()) {
      std::string more = problems.size() > 1 ? " (and " + std::to_string(problems.size() - 1) + " more)" : "";
      throw std::runtime_error(problems.front() + more);
    }
    if (!api_docs_dir.empty()) {
      auto pages = app::render_api_docs(methods.infos(), schema_files, {"test"});  // test.*: test builds only
      std::cout << app::write_api_docs(api_docs_dir, pages) << " pages written to " << api_docs_dir << "\n";
      return 0;
    }
  } catch (const std::exception& e) {
    log->critical("cannot start: {}", e.what());
    return 1;
  }
  log->info("{} methods registered", methods.size());

  rpc::Dispatcher dispatcher(methods, jobs, workers, log, result_check(cfg), rpc::CallLimits::from_config(cfg));
  ops.observe(dispatcher, methods.infos());
  host.set_dispatcher(dispatcher);

  server::ServerOptions options;
  if (auto listen = cfg.get_or("server", "listen", ""); !listen.empty()) options.tcp_listen = listen;
  if (auto sock = cfg.get_or("server", "socket", ""); !sock.empty())
    options.unix_path = std::filesystem::absolute(sock);
  options.tcp_port_file = cfg.state_dir() / "run" / "middlewared.tcp";
  options.read_limits(cfg);
  options.io_threads = static_cast<std::size_t>(cfg.get_int("server", "io_threads", 0));
  options.read_tls(cfg);
  options.read_origins(cfg);
  options.tls_port_file = cfg.state_dir() / "run" / "middlewared.tls";
  options.routes = &host.routes();
  options.upload = [&host](const HttpRequest& head, const std::string& data, std::shared_ptr<server::UploadPipe> pipe) {
    return host.start_upload(head, data, std::move(pipe));
  };
  app::UiRoute ui(app::ui_root(cfg));
  // The core's own pages join the plugins' routes: one registry for every HTTP path.
  for (const char* path : {"/health", "/metrics"})
    host.routes().add_page(path, [&ops](const std::string& t) { return ops.http(t); });
  host.routes().add_page("/ui", [&ui](const std::string& t) { return ui(t); });
  for (const char* path : {"/api/versions", "/api/boot_id"})
    host.routes().add_page(path, [](const std::string& t) { return api_page(t); });
  server::Server server(io, options, dispatcher, hub, log);
  ops.also_release_when_quiet([&server] { server.release_unused_stacks(); });
  try {
    server.start();
    host.start_all();
    ops.set_started();
  } catch (const std::exception& e) {
    log->critical("cannot start: {}", e.what());
    return 1;
  }

  // Every listener is bound and every plugin started: a Type=notify unit is up from here on.
  systemd.send("READY=1");
  app::Watchdog watchdog(systemd, io.get_executor());

  boost::asio::signal_set signals(io, SIGINT, SIGTERM);
  signals.async_wait([&](const boost::system::error_code&, int sig) {
    log->info("signal {} received, shutting down", sig);
    systemd.send("STOPPING=1");
    server.stop();
    io.stop();
  });
  log->info("middlewared {} ready (state dir {})", MW_VERSION, cfg.state_dir().string());
  run_guarded_loop(log, "the I/O thread", [&] { io.run(); });

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

// glibc's malloc, set for a daemon that holds many small rows for long and sends large answers
// (docs/BENCHMARKS.md, "Large answers written in place, and memory after writes"):
// - A large answer (megabytes, for a query of thousands of rows) is allocated whole and freed once
//   written. glibc raises its mmap threshold to the size of the first such block freed and keeps
//   every later one in its heap: the daemon would stay grown by the largest answer it ever sent.
//   A fixed threshold gives blocks this large back to the system when they are freed, for the
//   price of their page faults when the next one is written (ResultText asks for huge pages).
// - Each arena keeps its own free memory. glibc allows eight arenas per core, so the rows worker
//   threads write spread over many heaps, each with its own slack; one arena per core holds the
//   same rows in less memory, and more arenas than cores buy no parallelism.
void tune_allocator() {
  mallopt(M_MMAP_THRESHOLD, static_cast<int>(ResultText::kLargeAnswer));
  mallopt(M_ARENA_MAX, static_cast<int>(std::max(2u, std::thread::hardware_concurrency())));
}

int main(int argc, char** argv) {
  // Read (and removed from the environment) before any thread starts: unsetenv is not thread-safe.
  const auto systemd = app::SystemdNotifier::from_environment();
  std::signal(SIGPIPE, SIG_IGN);
  raise_open_file_limit();
  tune_allocator();
  CLI::App cli{"middlewared: TrueNAS-compatible virtual machine middleware daemon"};
  Flags f;
  cli.set_version_flag("--version", std::string("middlewared ") + MW_VERSION);
  cli.add_option("-c,--config", f.config_file, "Configuration file (INI)");
  cli.add_option("--listen", f.listen, "TCP listen address HOST:PORT (\"\" disables TCP)");
  cli.add_option("--tls-listen", f.tls_listen,
                 "TLS (wss://, https://) listen address HOST:PORT; needs [server] tls_certificate and tls_private_key");
  cli.add_option("--socket", f.socket, "Unix socket path");
  cli.add_option("--state-dir", f.state_dir, "State directory (databases, VM runtime files, logs)");
  cli.add_option("--log-level", f.log_level, "trace, debug, info, warn, error, critical, off");
  cli.add_option("--check-schema", f.check_schema, "Validate INSTANCE.json against SCHEMA.json and exit")
      ->expected(2)
      ->type_name("SCHEMA INSTANCE");
  cli.add_option("--check-config", f.check_config, "Validate a configuration file and exit");
  cli.add_option("--write-api-docs", f.api_docs_dir,
                 "Write the API reference (Markdown, one page per namespace) to DIR and exit")
      ->type_name("DIR");
  cli.add_flag("--check-results", f.check_results,
               "Fail every call whose result breaks its method's result schema (as the test suites run)");
  cli.add_option("--schemas", f.schema_dir, "Load method schemas from this directory instead of the embedded ones");
  auto setting_flags = plugins::setting_flags();
  f.settings.reserve(setting_flags.size());  // CLI11 keeps pointers to the values
  for (auto& s : setting_flags) {
    auto& [setting, value] = f.settings.emplace_back(std::move(s), std::string());
    cli.add_option(setting.flag, value, setting.help);
  }
  CLI11_PARSE(cli, argc, argv);

  if (!f.check_schema.empty())
    return mw::schema::check_schema_files(f.check_schema[0], f.check_schema[1], std::cout, std::cerr);
  try {
    if (!f.check_config.empty()) {
      auto cfg = app::IniConfig::load(f.check_config);
      auto problems = app::config_problems(cfg);
      for (const auto& p : problems) std::cerr << f.check_config << ": " << p << "\n";
      if (!problems.empty()) return 1;
      std::cout << f.check_config << ": OK (" << cfg.keys().size() << " settings)\n";
      return 0;
    }
    std::optional<app::ScratchDir> scratch;
    if (!f.api_docs_dir.empty()) {  // plugins set up on a throw-away state dir; nothing listens
      scratch.emplace();
      f.state_dir = scratch->path().string();
      if (f.log_level.empty()) f.log_level = "warn";
    }
    auto cfg = make_config(f);
    app::setup_logging(cfg);
    return run_daemon(cfg, f.schema_dir, systemd, f.api_docs_dir);
  } catch (const std::exception& e) {
    std::cerr << "middlewared: " << e.what() << "\n";
    return 1;
  }
}
