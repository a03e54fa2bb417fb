#include "tap.hpp"

#include <fstream>

#include <linux/sockios.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <system_error>

namespace mw::vm::hypervisor::qemu {

bool is_bridge(const std::string& interface) {
  std::error_code ec;
  return std::filesystem::exists("/sys/class/net/" + interface + "/bridge", ec);
}

void attach_tap_to_bridge(const std::string& tap, const std::string& bridge) {
  int fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) throw std::system_error(errno, std::system_category(), "socket");
  auto fail = [fd](const std::string& what) {
    int err = errno;
    ::close(fd);
    throw std::system_error(err, std::system_category(), what);
  };
  ifreq req{};
  std::strncpy(req.ifr_name, tap.c_str(), IFNAMSIZ - 1);
  if (::ioctl(fd, SIOCGIFINDEX, &req) != 0) fail("no interface " + tap);
  const int index = req.ifr_ifindex;
  ifreq br{};
  std::strncpy(br.ifr_name, bridge.c_str(), IFNAMSIZ - 1);
  br.ifr_ifindex = index;
  if (::ioctl(fd, SIOCBRADDIF, &br) != 0) fail("cannot add " + tap + " to bridge " + bridge);
  if (::ioctl(fd, SIOCGIFFLAGS, &req) != 0) fail("cannot read flags of " + tap);
  req.ifr_flags |= IFF_UP;
  if (::ioctl(fd, SIOCSIFFLAGS, &req) != 0) fail("cannot bring " + tap + " up");
  ::close(fd);
}

std::string tap_name(std::int64_t nic_device_id) { return "mwtap" + std::to_string(nic_device_id); }

std::optional<InterfaceBytes> interface_bytes(const std::string& interface) {
  const std::string dir = "/sys/class/net/" + interface + "/statistics/";
  std::ifstream rx(dir + "rx_bytes"), tx(dir + "tx_bytes");
  InterfaceBytes bytes;
  if (!(rx >> bytes.received) || !(tx >> bytes.transmitted)) return std::nullopt;
  return bytes;
}

}  // namespace mw::vm::hypervisor::qemu
