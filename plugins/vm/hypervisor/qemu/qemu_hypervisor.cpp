#include "qemu_hypervisor.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <poll.h>

#include <filesystem>
#include <mutex>
#include <set>
#include <thread>

#include <spdlog/spdlog.h>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>

#include <middlewared/guard.hpp>
#include <mw/util/python.hpp>

#include "command_line.hpp"
#include "devices/qemu_device.hpp"
#include "process.hpp"
#include "serial_log.hpp"

namespace mw::vm::hypervisor::qemu {

namespace asio = boost::asio;
namespace fs = std::filesystem;

namespace {

void make_private_dir(const std::string& dir) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) throw HypervisorError("cannot create " + dir + ": " + ec.message());
  fs::permissions(dir, fs::perms::owner_all, ec);
}

void write_secret(const SecretFile& secret) {
  int fd = ::open(secret.path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0) throw HypervisorError("cannot write " + secret.path + ": " + std::strerror(errno));
  const bool ok =
      ::write(fd, secret.content.data(), secret.content.size()) == static_cast<ssize_t>(secret.content.size());
  ::close(fd);
  if (!ok) throw HypervisorError("cannot write " + secret.path);
}

std::uint64_t file_size(const std::string& path) {
  std::error_code ec;
  auto size = fs::file_size(path, ec);
  return ec ? 0 : size;
}

void append_line(const std::string& path, const std::string& line) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOFOLLOW, 0640);
  if (fd < 0) return;
  auto text = line + "\n";
  [[maybe_unused]] auto n = ::write(fd, text.data(), text.size());
  ::close(fd);
}

}  // namespace

struct QemuHypervisor::Impl {
  QemuHypervisorOptions options;
  asio::io_context io;
  asio::executor_work_guard<asio::io_context::executor_type> work{io.get_executor()};
  std::thread thread;
  std::once_flag version_once;
  std::string version;
  // Last: destroyed first, after the destructor has stopped the thread that runs its timer.
  std::unique_ptr<SerialLogRotator> log_rotator;

  explicit Impl(QemuHypervisorOptions o) : options(std::move(o)) {
    if (options.nvram_dir.empty()) options.nvram_dir = options.state_root + "/nvram";
    log_rotator = std::make_unique<SerialLogRotator>(io, options.serial_log_max_size, options.serial_log_check);
    thread = std::thread([this] { run_guarded_loop(nullptr, "the hypervisor I/O thread", [this] { io.run(); }); });
  }
  ~Impl() {
    work.reset();
    io.stop();
    thread.join();
  }
};

QemuHypervisor::QemuHypervisor(QemuHypervisorOptions options) : impl_(std::make_unique<Impl>(std::move(options))) {}

QemuHypervisor::~QemuHypervisor() = default;

StatePaths QemuHypervisor::paths_for(const VmConfig& vm) const {
  const auto uuid = vm.uuid.value_or("");
  if (uuid.empty()) throw HypervisorError("VM has no uuid");
  auto paths = state_paths(impl_->options.state_root + "/" + uuid, impl_->options.nvram_dir, vm.id, vm.name);
  if (!impl_->options.log_dir.empty()) {
    paths.serial_log = impl_->options.log_dir + "/" + vm.label() + ".log";
  }
  if (paths.debug_qmp_socket.size() >= sizeof(sockaddr_un::sun_path)) {
    throw HypervisorError("state directory path too long for unix sockets: " + paths.dir);
  }
  return paths;
}

std::vector<const VmConfig*> QemuHypervisor::attach_candidates(std::vector<const VmConfig*> vms) const {
  // One listing of the state root and of each VM directory in it, instead of probing the files of
  // every VM: only a directory holding runtime files (a QEMU that still runs, or what a killed one
  // left) gives attach() anything to do.
  const auto& root = impl_->options.state_root;
  const auto layout = state_paths({}, {}, 0, {});
  std::set<std::string> names;
  for (const auto* file : runtime_files(layout)) names.insert(fs::path(*file).filename().string());
  std::set<std::string> with_files;  // directory names, which are uuids
  std::error_code ec;
  fs::directory_iterator dir(root, ec);
  if (ec && ec != std::errc::no_such_file_or_directory) return vms;
  for (; !ec && dir != fs::directory_iterator(); dir.increment(ec)) {
    std::error_code list_ec;
    fs::directory_iterator file(dir->path(), list_ec);
    if (list_ec == std::errc::not_a_directory) continue;
    if (list_ec) with_files.insert(dir->path().filename().string());  // unreadable: let attach() look
    for (; !list_ec && file != fs::directory_iterator(); file.increment(list_ec))
      if (names.contains(file->path().filename().string())) {
        with_files.insert(dir->path().filename().string());
        break;
      }
  }
  if (ec && ec != std::errc::no_such_file_or_directory) return vms;
  // A VM without a uuid or with a state path too long for sockets is kept: attach() says why.
  const auto socket_suffix = layout.debug_qmp_socket.size();
  std::erase_if(vms, [&](const VmConfig* vm) {
    if (!vm->uuid || vm->uuid->empty()) return false;
    return !with_files.contains(*vm->uuid) &&
           root.size() + 1 + vm->uuid->size() + socket_suffix < sizeof(sockaddr_un::sun_path);
  });
  return vms;
}

std::vector<std::string> QemuHypervisor::named_state_files(std::int64_t id, const std::string& name) const {
  return {state_paths({}, impl_->options.nvram_dir, id, name).vars_file};
}

std::shared_ptr<Domain> QemuHypervisor::start(const VmConfig& vm, const std::vector<DeviceConfig>& devices) {
  const auto& options = impl_->options;
  // A forced KVM that cannot run guests would start a QEMU whose guest never runs: refuse instead.
  if (!options.facts.accelerator_refusal.empty()) throw HypervisorError(options.facts.accelerator_refusal);
  HostFacts facts = options.facts;
  facts.paths = paths_for(vm);
  const auto& paths = facts.paths;
  const auto uuid = vm.uuid.value_or("");
  if (auto running = Process::adopt(paths.pidfile, uuid)) {
    throw HypervisorError("VM is already running (QEMU pid " + std::to_string(running->pid()) + ")");
  }
  make_private_dir(paths.dir);
  if (!options.log_dir.empty()) fs::create_directories(options.log_dir);

  // Host probes the pure builder must not do itself, each by its device's dtype (devices/).
  HostPreparation host{facts, {}};
  for (const auto& d : devices) qemu_device(d).prepare_host(d, host);
  if (options.customize) options.customize(facts, vm);

  QemuCommand cmd;
  try {
    cmd = build_command_line(vm, devices, facts);
  } catch (const CommandLineError& e) {
    throw HypervisorError(e.what());
  }
  for (const auto& secret : cmd.secret_files) write_secret(secret);
  if (!cmd.vars_template.empty() && !fs::exists(paths.vars_file)) {
    std::error_code ec;
    fs::create_directories(fs::path(paths.vars_file).parent_path(), ec);
    fs::copy_file(cmd.vars_template, paths.vars_file, ec);
    if (ec) throw HypervisorError("cannot create UEFI variable store " + paths.vars_file + ": " + ec.message());
  }
  remove_runtime_files(paths);                                       // leftovers of a QEMU that was killed
  rotate_serial_log(paths.serial_log, options.serial_log_max_size);  // before QEMU appends to it again

  LaunchSpec spec{cmd.argv, paths.qemu_log, std::nullopt};
  if (vm.cpuset && !vm.cpuset->empty()) {
    spec.cpus = util::parse_cpuset(*vm.cpuset);
    if (!spec.cpus) throw HypervisorError("invalid CPU list '" + *vm.cpuset + "'");
  }
  std::string command_text;
  for (const auto& a : cmd.argv) command_text += (command_text.empty() ? "" : " ") + a;
  append_line(paths.qemu_log, "starting: " + command_text);
  const auto output_offset = file_size(paths.qemu_log);

  std::unique_ptr<Process> process;
  try {
    process = Process::launch(spec);
  } catch (const std::system_error& e) {
    throw HypervisorError(e.what());
  }
  std::vector<QmpCommand> setup;
  for (const auto& pw : cmd.display_passwords) {
    setup.push_back({"set_password", json::object{{"protocol", pw.protocol}, {"password", pw.password}}});
  }
  if (cmd.balloon_target) setup.push_back({"balloon", json::object{{"value", *cmd.balloon_target}}});
  spdlog::info("vm {}: started QEMU pid {}", vm.name, process->pid());
  auto domain = open_domain(impl_->io, std::move(process), paths, options.timeouts, true, output_offset, setup);
  impl_->log_rotator->watch(domain, paths.serial_log);
  for (const auto& step : host.once_running) {
    try {
      step();
    } catch (const std::system_error& e) {
      domain->poweroff();
      throw HypervisorError(e.what());
    }
  }
  return domain;
}

std::shared_ptr<Domain> QemuHypervisor::attach(const VmConfig& vm) {
  const auto paths = paths_for(vm);
  auto process = Process::adopt(paths.pidfile, vm.uuid.value_or(""));
  if (!process) {
    remove_runtime_files(paths);
    return nullptr;
  }
  const auto pid = process->pid();
  auto domain =
      open_domain(impl_->io, std::move(process), paths, impl_->options.timeouts, false, file_size(paths.qemu_log));
  if (!domain) {
    spdlog::warn("vm {}: QEMU pid {} refuses QMP connections; treating it as dead", vm.name, pid);
    remove_runtime_files(paths);
    return nullptr;
  }
  spdlog::info("vm {}: re-attached to QEMU pid {}", vm.name, pid);
  impl_->log_rotator->watch(domain, paths.serial_log);
  return domain;
}

std::shared_ptr<Domain> QemuHypervisor::reattach(const VmConfig& vm, std::string& lost_reason) {
  const auto paths = paths_for(vm);
  // QEMU removes its pidfile when it ends cleanly; one left behind means it was killed or crashed.
  const bool unclean_leftover = fs::exists(paths.pidfile);
  auto domain = attach(vm);
  if (!domain && unclean_leftover) {
    const auto log = tail_lines(paths.qemu_log, 5);
    lost_reason = "QEMU exited while the daemon was not running" + (log.empty() ? std::string() : ": " + log);
  }
  return domain;
}

std::string QemuHypervisor::accelerator() const { return impl_->options.facts.kvm_usable ? "kvm" : "tcg"; }

std::string QemuHypervisor::accelerator_reason() const { return impl_->options.facts.accelerator_reason; }

std::string QemuHypervisor::version() const {
  std::call_once(impl_->version_once, [this] {
    const auto log = impl_->options.state_root + "/qemu-version.txt";
    std::error_code ec;
    fs::create_directories(impl_->options.state_root, ec);
    fs::remove(log, ec);
    try {
      auto p = Process::launch({{impl_->options.facts.qemu_x86_64, "--version"}, log, std::nullopt});
      pollfd fd{p->pidfd(), POLLIN, 0};
      ::poll(&fd, 1, 5000);
      if (!p->exited()) p->kill_hard();
      p->reap();
    } catch (const std::exception& e) {
      spdlog::warn("cannot run {} --version: {}", impl_->options.facts.qemu_x86_64, e.what());
    }
    // "QEMU emulator version 7.2.22 (Debian 1:7.2+dfsg-7+deb12u18+b3)"
    const auto text = tail_lines(log, 5);
    const std::string marker = "version ";
    if (auto at = text.find(marker); at != std::string::npos) {
      auto end = text.find_first_of(" \n", at + marker.size());
      impl_->version =
          text.substr(at + marker.size(), end == std::string::npos ? std::string::npos : end - at - marker.size());
    }
  });
  return impl_->version;
}

}  // namespace mw::vm::hypervisor::qemu
