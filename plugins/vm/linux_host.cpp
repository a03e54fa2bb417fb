#include "linux_host.hpp"
#include "host_devices.hpp"

#include <arpa/inet.h>
#include <dirent.h>
#include <fcntl.h>
#include <ifaddrs.h>
#include <netinet/in.h>
#include <pwd.h>
#include <sys/inotify.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <algorithm>
#include <boost/json/parse.hpp>
#include <filesystem>
#include <fstream>
#include <functional>
#include <set>
#include <sstream>
#include <string_view>

#include "block_devices.hpp"
#include "hypervisor/qemu/accelerator.hpp"
#include "run_command.hpp"

namespace mw::vm {
namespace {
namespace fs = std::filesystem;
using namespace std::chrono_literals;

// How long the host tools may take before they are killed (run_command.hpp).
constexpr auto kQemuHelpTimeout = 30s;
constexpr auto kImageInfoTimeout = 15s;
constexpr auto kZfsDestroyTimeout = 120s;
constexpr auto kZfsTimeout = 120s;  // list, snapshot, clone

const std::map<std::string, std::string>& emulators() {
  static const std::map<std::string, std::string> table = {
      {"x86_64", "qemu-system-x86_64"}, {"i686", "qemu-system-i386"}, {"aarch64", "qemu-system-aarch64"}};
  return table;
}

std::set<std::string> cpuinfo_flags() {
  std::ifstream in("/proc/cpuinfo");
  std::string line;
  std::set<std::string> flags;
  while (std::getline(in, line)) {
    if (line.rfind("flags", 0) != 0) continue;
    std::istringstream words(line.substr(line.find(':') + 1));
    std::string w;
    while (words >> w) flags.insert(w);
    break;
  }
  return flags;
}

// Address and inode of a LISTEN socket on `port` from /proc/net/tcp{,6}.
std::optional<std::pair<std::string, std::string>> find_listener(int port) {
  for (const char* file : {"/proc/net/tcp", "/proc/net/tcp6"}) {
    std::ifstream in(file);
    std::string line;
    std::getline(in, line);  // header
    while (std::getline(in, line)) {
      std::istringstream f(line);
      std::string sl, local, remote, state, queues, timer, retr, uid, timeout, inode;
      f >> sl >> local >> remote >> state >> queues >> timer >> retr >> uid >> timeout >> inode;
      if (state != "0A") continue;
      auto colon = local.find(':');
      if (colon == std::string::npos || std::stoi(local.substr(colon + 1), nullptr, 16) != port) continue;
      std::string hex = local.substr(0, colon);
      std::string address;
      if (hex.size() == 8) {
        in_addr a{static_cast<in_addr_t>(std::stoul(hex, nullptr, 16))};
        char buf[INET_ADDRSTRLEN];
        address = inet_ntop(AF_INET, &a, buf, sizeof buf);
      } else {
        in6_addr a{};
        for (int w = 0; w < 4; ++w) {
          uint32_t word = static_cast<uint32_t>(std::stoul(hex.substr(w * 8, 8), nullptr, 16));
          std::memcpy(a.s6_addr + w * 4, &word, 4);
        }
        char buf[INET6_ADDRSTRLEN];
        address = inet_ntop(AF_INET6, &a, buf, sizeof buf);
      }
      return std::make_pair(address + ":" + std::to_string(port), inode);
    }
  }
  return std::nullopt;
}

std::string process_owning_socket(const std::string& inode) {
  std::string target = "socket:[" + inode + "]";
  std::error_code ec;
  for (const auto& proc : fs::directory_iterator("/proc", ec)) {
    const std::string pid = proc.path().filename().string();
    if (pid.empty() || !std::all_of(pid.begin(), pid.end(), ::isdigit)) continue;
    std::error_code fd_ec;
    for (const auto& fd : fs::directory_iterator(proc.path() / "fd", fd_ec)) {
      std::error_code link_ec;
      if (fs::read_symlink(fd.path(), link_ec).string() == target) return read_sysfs(proc.path() / "comm");
    }
  }
  return "an unknown process";
}

bool can_bind(int family, int port) {
  int fd = socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return true;  // no such address family here: nobody can use it either
  int one = 1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  int rc;
  if (family == AF_INET) {
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(static_cast<uint16_t>(port));
    a.sin_addr.s_addr = htonl(INADDR_ANY);
    rc = bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
  } else {
    setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one);
    sockaddr_in6 a{};
    a.sin6_family = AF_INET6;
    a.sin6_port = htons(static_cast<uint16_t>(port));
    a.sin6_addr = in6addr_any;
    rc = bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
  }
  int err = errno;
  close(fd);
  return rc == 0 || err != EADDRINUSE;
}

}  // namespace

std::vector<std::string> parse_cpu_help(const std::string& text) {
  std::vector<std::string> models;
  std::istringstream in(text);
  std::string line;
  bool listing = false;
  while (std::getline(in, line)) {
    if (line.rfind("Available CPUs", 0) == 0) {
      listing = true;
      continue;
    }
    if (!listing) continue;
    if (line.empty() || line.rfind("Recognized", 0) == 0) break;
    std::istringstream words(line);
    std::string first, second;
    words >> first >> second;
    // x86 prints "x86 <model>   (comment)"; other targets print the model first.
    std::string model = (first == "x86" && !second.empty()) ? second : first;
    if (!model.empty()) models.push_back(model);
  }
  std::sort(models.begin(), models.end());
  models.erase(std::unique(models.begin(), models.end()), models.end());
  return models;
}

std::vector<std::string> parse_machine_help(const std::string& text) {
  std::vector<std::string> machines;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line.rfind("Supported machines", 0) == 0 || line[0] == ' ') continue;
    std::string name = line.substr(0, line.find_first_of(" \t"));
    if (!name.empty() && name != "none") machines.push_back(name);
  }
  return machines;
}

std::string LinuxHost::host_arch() {
  // The machine a process runs on does not change under it: asked once, not on every create.
  static const std::string machine = [] {
    utsname u{};
    uname(&u);
    return std::string(u.machine);
  }();
  return machine;
}

// Whether KVM can run an ordinary guest here, whatever the configuration forces.
bool LinuxHost::kvm_available() { return hypervisor::qemu::kvm_unusable_reason(hypervisor::qemu::probe_kvm()).empty(); }

json::object LinuxHost::cpu_flags() {
  bool kvm = kvm_available();
  auto flags = cpuinfo_flags();
  return json::object{
      {"intel_vmx", kvm && flags.contains("vmx")},
      {"unrestricted_guest", kvm && read_sysfs("/sys/module/kvm_intel/parameters/unrestricted_guest") == "Y"},
      {"amd_rvi", kvm && flags.contains("npt")},
      {"amd_asids", kvm && flags.contains("svm")},
  };
}

std::map<std::string, std::vector<std::string>> LinuxHost::machine_types() {
  std::lock_guard lock(mutex_);
  if (!machines_) {
    std::map<std::string, std::vector<std::string>> found;
    for (const auto& [arch, program] : emulators()) {
      if (!program_exists(program)) continue;
      auto out = run_argv({program, "-machine", "help"}, kQemuHelpTimeout);
      if (out.exit_code == 0) found[arch] = parse_machine_help(out.out);
    }
    machines_ = std::move(found);
  }
  return *machines_;
}

std::vector<std::string> LinuxHost::cpu_models(const std::string& arch) {
  std::lock_guard lock(mutex_);
  if (auto it = cpu_models_.find(arch); it != cpu_models_.end()) return it->second;
  std::vector<std::string> models;
  if (auto e = emulators().find(arch); e != emulators().end() && program_exists(e->second)) {
    auto out = run_argv({e->second, "-cpu", "help"}, kQemuHelpTimeout);
    if (out.exit_code == 0) models = parse_cpu_help(out.out);
  }
  cpu_models_[arch] = models;
  return models;
}

namespace {

bool same_time(const timespec& a, const timespec& b) { return a.tv_sec == b.tv_sec && a.tv_nsec == b.tv_nsec; }

// "<family>_CODE*.fd", tested by hand: compiling it as a std::regex cost more than reading the
// directory. ('.' of a regex matches no line break, so neither does this.)
std::vector<std::string> read_firmware_directory(const fs::path& dir, const std::string& family) {
  std::vector<std::string> files;
  const std::string prefix = family + "_CODE";
  DIR* d = ::opendir(dir.c_str());
  if (!d) return files;
  while (const dirent* entry = ::readdir(d)) {
    std::string_view name = entry->d_name;
    if (name.size() >= prefix.size() + 3 && name.starts_with(prefix) && name.ends_with(".fd") &&
        name.find_first_of("\n\r") == std::string_view::npos)
      files.emplace_back(name);
  }
  ::closedir(d);
  std::sort(files.begin(), files.end());
  return files;
}

}  // namespace

LinuxHost::~LinuxHost() {
  if (firmware_watch_ >= 0) ::close(firmware_watch_);
}

bool LinuxHost::watch_firmware_directory(const fs::path& dir) {
  if (firmware_changes_ != FirmwareChanges::watched) return false;
  if (firmware_watch_ < 0) firmware_watch_ = ::inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
  if (firmware_watch_ < 0) {
    firmware_changes_ = FirmwareChanges::looked_up;  // no inotify here (or none left): not asked again
    return false;
  }
  constexpr std::uint32_t kChanges =
      IN_CREATE | IN_DELETE | IN_MOVED_FROM | IN_MOVED_TO | IN_DELETE_SELF | IN_MOVE_SELF | IN_ONLYDIR;
  return ::inotify_add_watch(firmware_watch_, dir.c_str(), kChanges) >= 0;
}

bool LinuxHost::firmware_changed() {
  if (firmware_watch_ < 0) return false;
  // Any event, or an overflowed queue (its own event), drops every listing: what changed matters
  // less than not missing it.
  alignas(inotify_event) char events[4096];
  bool changed = false;
  while (::read(firmware_watch_, events, sizeof events) > 0) changed = true;
  return changed;
}

std::vector<std::string> LinuxHost::firmware_files(const std::string& family) {
  std::lock_guard lock(firmware_mutex_);
  return current_firmware(family);
}

bool LinuxHost::has_firmware_file(const std::string& family, std::string_view name) {
  std::lock_guard lock(firmware_mutex_);
  const auto& files = current_firmware(family);
  return std::binary_search(files.begin(), files.end(), name, std::less<>());  // read_firmware_directory sorts
}

// vm.create and vm.update validate bootloader_ovmf against this on every call, so the listing is
// kept and read again only when the directory changed. A watched directory costs one read of the
// watch per call, which finds nothing (no path to walk): the kernel reports a file added, removed
// or renamed in it, and the directory removed or renamed away. The watch is set before the
// directory is read, so a change during the read is reported and the next call reads it again.
// Where it cannot be watched (no inotify, too many watches), each call looks the directory up: a
// change moves its mtime and ctime, a directory replaced by another has another inode. File
// systems stamp mtime with a coarse clock, so two changes close together can leave the same mtime:
// such a listing read while the directory's mtime was recent (the last 2 s) is not trusted, and
// the next call reads the directory again until it has been quiet for that long.
const std::vector<std::string>& LinuxHost::current_firmware(const std::string& family) {
  if (firmware_changed())
    for (auto& [name, listing] : firmware_) listing.watched = false;
  auto& cached = firmware_[family];
  if (cached.watched) return cached.files;
  const fs::path dir = firmware_root_ / family;
  const bool watched = watch_firmware_directory(dir);
  struct stat st {};
  if (::stat(dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) {
    cached = FirmwareListing{};
    return cached.files;
  }
  if (!watched && cached.settled && cached.dev == st.st_dev && cached.ino == st.st_ino &&
      same_time(cached.mtime, st.st_mtim) && same_time(cached.ctime, st.st_ctim))
    return cached.files;
  timespec now{};
  ::clock_gettime(CLOCK_REALTIME, &now);
  cached.files = read_firmware_directory(dir, family);
  ++firmware_reads_;
  cached.dev = st.st_dev;
  cached.ino = st.st_ino;
  cached.mtime = st.st_mtim;
  cached.ctime = st.st_ctim;
  cached.settled = st.st_mtim.tv_sec + 2 < now.tv_sec;
  cached.watched = watched;
  return cached.files;
}

std::uint64_t LinuxHost::firmware_directory_reads() {
  std::lock_guard lock(firmware_mutex_);
  return firmware_reads_;
}

std::vector<std::string> LinuxHost::bind_addresses() {
  std::set<std::string> out = {"0.0.0.0", "::", "127.0.0.1"};
  ifaddrs* list = nullptr;
  if (getifaddrs(&list) == 0) {
    for (ifaddrs* i = list; i; i = i->ifa_next) {
      if (!i->ifa_addr) continue;
      char buf[INET6_ADDRSTRLEN] = {};
      if (i->ifa_addr->sa_family == AF_INET) {
        inet_ntop(AF_INET, &reinterpret_cast<sockaddr_in*>(i->ifa_addr)->sin_addr, buf, sizeof buf);
      } else if (i->ifa_addr->sa_family == AF_INET6) {
        auto* a6 = reinterpret_cast<sockaddr_in6*>(i->ifa_addr);
        if (IN6_IS_ADDR_LINKLOCAL(&a6->sin6_addr)) continue;  // unusable without a scope id
        inet_ntop(AF_INET6, &a6->sin6_addr, buf, sizeof buf);
      } else {
        continue;
      }
      out.insert(buf);
    }
    freeifaddrs(list);
  }
  return {out.begin(), out.end()};
}

std::vector<std::string> LinuxHost::bridge_interfaces() {
  std::vector<std::string> out;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator("/sys/class/net", ec))
    if (fs::exists(e.path() / "bridge")) out.push_back(e.path().filename().string());
  std::sort(out.begin(), out.end());
  return out;
}

std::vector<std::string> LinuxHost::macvlan_interfaces() {
  std::vector<std::string> out;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator("/sys/class/net", ec)) {
    std::string name = e.path().filename().string();
    if (name == "lo" || fs::exists(e.path() / "bridge")) continue;
    out.push_back(name);
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::optional<PortUser> LinuxHost::port_user(int port) {
  if (can_bind(AF_INET, port) && can_bind(AF_INET6, port)) return std::nullopt;
  if (auto listener = find_listener(port)) return PortUser{listener->first, process_owning_socket(listener->second)};
  return PortUser{"0.0.0.0:" + std::to_string(port), "an unknown process"};
}

json::object LinuxHost::usb_devices() { return usb_devices_in("/sys/bus/usb/devices", HardwareIds::system()); }

json::object LinuxHost::pci_devices() { return pci_devices_in("/sys/bus/pci/devices", HardwareIds::system()); }

bool LinuxHost::iommu_enabled() {
  std::error_code ec;
  fs::directory_iterator it("/sys/kernel/iommu_groups", ec);
  return !ec && it != fs::directory_iterator();
}

bool LinuxHost::readable(const std::string& path) { return access(path.c_str(), R_OK) == 0; }

std::optional<ImageInfo> parse_image_info(const std::string& json_text) {
  boost::system::error_code ec;
  auto v = boost::json::parse(json_text, ec);
  const auto* o = ec ? nullptr : v.if_object();
  const auto* size = o ? o->if_contains("virtual-size") : nullptr;
  if (!size || !size->is_int64()) return std::nullopt;
  ImageInfo info;
  info.virtual_size = size->as_int64();
  if (const auto* f = o->if_contains("format"); f && f->is_string()) info.format = f->as_string();
  // A backing file, or a qcow2 external data file: data read from another path than the image's.
  for (const char* key : {"full-backing-filename", "backing-filename"})
    if (const auto* b = o->if_contains(key); b && b->is_string()) {
      info.referenced_files.emplace_back(b->as_string());
      break;
    }
  if (const auto* spec = o->if_contains("format-specific"); spec && spec->is_object())
    if (const auto* data = spec->as_object().if_contains("data"); data && data->is_object())
      if (const auto* file = data->as_object().if_contains("data-file"); file && file->is_string())
        info.referenced_files.emplace_back(file->as_string());
  return info;
}

std::optional<ImageInfo> LinuxHost::image_info(const std::string& path, std::string& error) {
  // -U: an image a running guest holds open can still be inspected.
  const std::vector<std::string> argv = {"qemu-img", "info", "-U", "--output=json", path};
  auto out = run_argv(argv, kImageInfoTimeout);
  if (out.exit_code != 0) {
    error = failure_text(argv, kImageInfoTimeout, out);
    return std::nullopt;
  }
  auto info = parse_image_info(out.out);
  if (!info) error = "qemu-img returned no virtual size";
  return info;
}

bool LinuxHost::zfs_available() { return program_exists("zfs"); }

std::vector<BlockDevice> LinuxHost::block_devices() { return scan_block_devices(); }

void LinuxHost::destroy_zvol(const std::string& name) {
  const std::vector<std::string> argv = {"zfs", "destroy", "-r", name};
  auto out = run_argv(argv, kZfsDestroyTimeout);
  if (out.exit_code != 0) throw std::runtime_error(failure_text(argv, kZfsDestroyTimeout, out));
}

std::pair<std::string, std::string> LinuxHost::clone_zvol(const std::string& zvol, const std::string& clone_name) {
  auto exists = [](const std::string& name) {
    return run_argv({"zfs", "list", "-H", "-o", "name", name}, kZfsTimeout).exit_code == 0;
  };
  auto must = [](std::vector<std::string> argv) {
    auto out = run_argv(argv, kZfsTimeout);
    if (out.exit_code != 0) throw std::runtime_error(failure_text(argv, kZfsTimeout, out));
  };
  std::string snapshot = zvol + "@" + clone_name;
  for (int n = 0; exists(snapshot); ++n) snapshot = zvol + "@" + clone_name + "_clone" + std::to_string(n);
  std::string clone = zvol + "_" + clone_name;
  for (int n = 0; exists(clone); ++n) clone = zvol + "_" + clone_name + "_clone" + std::to_string(n);
  must({"zfs", "snapshot", snapshot});
  try {
    must({"zfs", "clone", snapshot, clone});
  } catch (...) {
    run_argv({"zfs", "destroy", snapshot}, kZfsDestroyTimeout);
    throw;
  }
  return {clone, snapshot};
}

std::string LinuxHost::process_user() {
  if (passwd* pw = getpwuid(geteuid())) return pw->pw_name;
  return std::to_string(geteuid());
}

}  // namespace mw::vm
