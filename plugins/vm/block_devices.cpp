#include "block_devices.hpp"

#include <sys/stat.h>
#include <sys/sysmacros.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <optional>
#include <sstream>

namespace mw::vm {
namespace {
namespace fs = std::filesystem;

std::string read_file(const fs::path& p) {
  std::ifstream in(p);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

std::string read_trimmed(const fs::path& p) {
  std::string s = read_file(p);
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

// "\040" and friends, as the kernel escapes spaces, tabs, newlines and backslashes.
std::string unescape_octal(const std::string& s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    const auto octal = [&](std::size_t k) { return s[k] >= '0' && s[k] <= '7'; };
    if (s[i] == '\\' && i + 3 < s.size() && octal(i + 1) && octal(i + 2) && octal(i + 3)) {
      out += static_cast<char>(std::stoi(s.substr(i + 1, 3), nullptr, 8));
      i += 3;
    } else {
      out += s[i];
    }
  }
  return out;
}

std::optional<std::uint64_t> parse_device_number(const std::string& text) {
  unsigned major = 0, minor = 0;
  char colon = 0;
  std::istringstream in(text);
  if (!(in >> major >> colon >> minor) || colon != ':') return std::nullopt;
  return makedev(major, minor);
}

std::optional<std::uint64_t> block_device_number(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0 || !S_ISBLK(st.st_mode)) return std::nullopt;
  return st.st_rdev;
}

// Why a device number is taken by the system, as the rest of a sentence starting "it ...".
std::map<std::uint64_t, std::string> system_uses() {
  std::map<std::uint64_t, std::string> uses;
  for (const auto& m : parse_mountinfo(read_file("/proc/self/mountinfo"))) {
    const bool root = m.mount_point == "/";
    const std::string why = root ? "holds the root filesystem" : "holds a mounted filesystem (" + m.mount_point + ")";
    std::vector<std::uint64_t> numbers;
    if (auto n = parse_device_number(m.device_number)) numbers.push_back(*n);
    // btrfs, and filesystems on several devices, show an anonymous number: the source names the device.
    if (m.source.rfind("/dev/", 0) == 0)
      if (auto n = block_device_number(m.source)) numbers.push_back(*n);
    for (auto n : numbers)
      if (root || !uses.contains(n)) uses[n] = why;
  }
  std::istringstream swaps(read_file("/proc/swaps"));
  std::string line;
  std::getline(swaps, line);  // header
  while (std::getline(swaps, line)) {
    std::istringstream f(line);
    std::string file;
    f >> file;
    if (auto n = block_device_number(unescape_octal(file)); n && !uses.contains(*n)) uses[*n] = "is in use as swap";
  }
  return uses;
}

struct SysBlock {
  std::string name;
  std::uint64_t rdev = 0;
  std::uint64_t size = 0;
  bool read_only = false;
  std::string disk;  // for a partition, the disk it is on
  std::vector<std::string> holders;
  std::string member_of;  // udev's ID_FS_TYPE when it says "<something>_member" (zfs, raid, LVM)
};

std::string udev_member_type(std::uint64_t rdev) {
  std::ifstream in("/run/udev/data/b" + std::to_string(major(rdev)) + ":" + std::to_string(minor(rdev)));
  for (std::string line; std::getline(in, line);) {
    const std::string key = "E:ID_FS_TYPE=";
    if (line.rfind(key, 0) != 0) continue;
    auto type = line.substr(key.size());
    if (type.size() > 7 && type.ends_with("_member")) return type;
  }
  return {};
}

std::map<std::string, SysBlock> read_sys_block() {
  std::map<std::string, SysBlock> out;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator("/sys/class/block", ec)) {
    SysBlock b;
    b.name = e.path().filename().string();
    auto number = parse_device_number(read_trimmed(e.path() / "dev"));
    if (!number) continue;
    b.rdev = *number;
    b.size = std::strtoull(read_trimmed(e.path() / "size").c_str(), nullptr, 10) * 512;  // sectors of 512 bytes
    b.read_only = read_trimmed(e.path() / "ro") == "1";
    std::error_code pec;
    if (fs::exists(e.path() / "partition", pec))
      b.disk = fs::canonical(e.path(), pec).parent_path().filename().string();
    std::error_code hec;
    for (const auto& h : fs::directory_iterator(e.path() / "holders", hec))
      b.holders.push_back(h.path().filename().string());
    std::sort(b.holders.begin(), b.holders.end());
    b.member_of = udev_member_type(b.rdev);
    out.emplace(b.name, std::move(b));
  }
  return out;
}

// zvol device number -> (path under /dev/zvol with spaces as '+', pool/zvol name).
std::map<std::uint64_t, std::pair<std::string, std::string>> zvol_names() {
  std::map<std::uint64_t, std::pair<std::string, std::string>> out;
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator("/dev/zvol", ec); !ec && it != fs::recursive_directory_iterator();
       it.increment(ec)) {
    auto number = block_device_number(it->path().string());
    if (!number) continue;
    std::string name = fs::relative(it->path(), "/dev/zvol").string();
    std::string key = name;
    std::replace(key.begin(), key.end(), ' ', '+');
    out[*number] = {"/dev/zvol/" + key, name};
  }
  return out;
}

}  // namespace

std::vector<MountEntry> parse_mountinfo(const std::string& text) {
  std::vector<MountEntry> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    // id parent major:minor root mount-point options [optional fields...] - type source super-options
    std::istringstream f(line);
    std::string id, parent, number, root, mount_point;
    if (!(f >> id >> parent >> number >> root >> mount_point)) continue;
    auto dash = line.find(" - ");
    if (dash == std::string::npos) continue;
    std::istringstream rest(line.substr(dash + 3));
    std::string type, source;
    rest >> type >> source;
    out.push_back({number, unescape_octal(source), unescape_octal(mount_point)});
  }
  return out;
}

std::vector<BlockDevice> scan_block_devices() {
  const auto uses = system_uses();
  const auto sys = read_sys_block();
  const auto zvols = zvol_names();

  // Why `name` may not go to a VM (empty when it may), following holders and partitions.
  std::map<std::string, std::string> memo;
  std::function<std::string(const std::string&, int)> why_not = [&](const std::string& name, int depth) -> std::string {
    if (auto m = memo.find(name); m != memo.end()) return m->second;
    auto it = sys.find(name);
    if (it == sys.end() || depth > 16) return {};
    const SysBlock& b = it->second;
    std::string why;
    if (auto u = uses.find(b.rdev); u != uses.end()) why = u->second;
    for (const auto& h : b.holders) {
      if (!why.empty()) break;
      const auto above = why_not(h, depth + 1);
      why = "is part of " + h + (above.empty() || above.rfind("is part of", 0) == 0 ? "" : ", which " + above);
    }
    if (why.empty())
      for (const auto& [part_name, part] : sys)
        if (part.disk == name)
          if (auto p = why_not(part_name, depth + 1); !p.empty()) {
            why = "has partition " + part_name + " which " + p;
            break;
          }
    if (why.empty() && !b.member_of.empty()) why = "is part of a storage pool or array (" + b.member_of + ")";
    if (why.empty() && b.read_only) why = "is read-only";
    if (why.empty() && b.size == 0) why = "is empty";
    memo[name] = why;
    return why;
  };

  std::vector<BlockDevice> out;
  for (const auto& [name, b] : sys) {
    BlockDevice d;
    d.rdev = b.rdev;
    d.size = b.size;
    if (auto z = zvols.find(b.rdev); z != zvols.end()) {
      d.path = z->second.first;
      d.name = z->second.second;
    } else {
      d.path = "/dev/" + name;
      d.name = name;
    }
    if (auto why = why_not(name, 0); !why.empty()) d.in_use = "it " + why;
    out.push_back(std::move(d));
  }
  return out;
}

}  // namespace mw::vm
