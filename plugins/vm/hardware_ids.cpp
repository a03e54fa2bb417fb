#include "hardware_ids.hpp"

#include <charconv>
#include <fstream>
#include <sstream>
#include <vector>

namespace mw::vm {
namespace {

std::string read_first(const std::vector<const char*>& paths) {
  for (const char* p : paths) {
    std::ifstream in(p);
    if (!in) continue;
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
  }
  return {};
}

// "1af4  Red Hat, Inc." -> (0x1af4, "Red Hat, Inc."); `digits` hex digits, then two spaces.
std::optional<std::pair<uint16_t, std::string>> entry(std::string_view line, std::size_t digits) {
  if (line.size() < digits + 3 || line.substr(digits, 2) != "  ") return std::nullopt;
  unsigned value = 0;
  auto [end, ec] = std::from_chars(line.data(), line.data() + digits, value, 16);
  if (ec != std::errc() || end != line.data() + digits) return std::nullopt;
  return std::pair{static_cast<uint16_t>(value), std::string(line.substr(digits + 2))};
}

}  // namespace

HardwareIds::Table HardwareIds::parse(std::string_view text) {
  Table t;
  enum class In { Nothing, Vendor, Class } in = In::Nothing;
  uint16_t current = 0;
  while (!text.empty()) {
    auto eol = text.find('\n');
    std::string_view line = text.substr(0, eol);
    text.remove_prefix(eol == std::string_view::npos ? text.size() : eol + 1);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty() || line.front() == '#') continue;
    if (line.starts_with("\t\t")) continue;  // subsystems and programming interfaces
    if (line.front() == '\t') {
      auto e = entry(line.substr(1), in == In::Class ? 2 : 4);
      if (!e) continue;
      if (in == In::Vendor) t.devices[{current, e->first}] = std::move(e->second);
      if (in == In::Class) t.subclasses[{current, e->first}] = std::move(e->second);
      continue;
    }
    if (line.starts_with("C ")) {  // "C 03  Display controller"
      auto e = entry(line.substr(2), 2);
      in = e ? In::Class : In::Nothing;
      if (e) current = e->first;
      continue;
    }
    if (auto e = entry(line, 4)) {
      in = In::Vendor;
      current = e->first;
      t.vendors[current] = std::move(e->second);
    } else {
      in = In::Nothing;  // usb.ids' other lists (AT, HID, ...)
    }
  }
  return t;
}

HardwareIds::HardwareIds(std::string_view pci_ids, std::string_view usb_ids)
    : pci_(parse(pci_ids)), usb_(parse(usb_ids)) {}

const HardwareIds& HardwareIds::system() {
  static const HardwareIds ids(
      read_first({"/usr/share/hwdata/pci.ids", "/usr/share/misc/pci.ids"}),
      read_first({"/usr/share/hwdata/usb.ids", "/var/lib/usbutils/usb.ids", "/usr/share/misc/usb.ids"}));
  return ids;
}

std::optional<std::string> HardwareIds::find(const auto& map, const auto& key) {
  auto it = map.find(key);
  if (it == map.end()) return std::nullopt;
  return it->second;
}

std::optional<std::string> HardwareIds::pci_vendor(uint16_t vendor) const { return find(pci_.vendors, vendor); }
std::optional<std::string> HardwareIds::pci_device(uint16_t vendor, uint16_t device) const {
  return find(pci_.devices, std::pair{vendor, device});
}
std::optional<std::string> HardwareIds::pci_subclass(uint32_t class_code) const {
  return find(pci_.subclasses, std::pair{static_cast<uint16_t>((class_code >> 16) & 0xff),
                                         static_cast<uint16_t>((class_code >> 8) & 0xff)});
}
std::optional<std::string> HardwareIds::usb_vendor(uint16_t vendor) const { return find(usb_.vendors, vendor); }
std::optional<std::string> HardwareIds::usb_product(uint16_t vendor, uint16_t product) const {
  return find(usb_.devices, std::pair{vendor, product});
}

}  // namespace mw::vm
