#include "host_devices.hpp"

#include <charconv>
#include <cstdio>
#include <fstream>
#include <optional>

namespace mw::vm {

namespace fs = std::filesystem;

namespace {

std::optional<unsigned> hex_value(const std::string& text) {
  std::string_view s = text;
  if (s.starts_with("0x")) s.remove_prefix(2);
  unsigned v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v, 16);
  if (s.empty() || ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
  return v;
}

// "001" -> "1", as libvirt prints bus and device numbers.
std::string decimal(const std::string& text) {
  std::size_t i = text.find_first_not_of('0');
  return i == std::string::npos ? (text.empty() ? text : "0") : text.substr(i);
}

json::value text_or_null(const std::string& s) { return s.empty() ? json::value(nullptr) : json::value(s); }

// The class of device a PCI class code stands for, when the database has no subclass name.
const char* pci_class_fallback(unsigned cls) {
  switch (cls >> 16) {
    case 0x01:
      return "Mass storage controller";
    case 0x02:
      return "Network controller";
    case 0x03:
      return "Display controller";
    case 0x04:
      return "Multimedia controller";
    case 0x05:
      return "Memory controller";
    case 0x06:
      return "Bridge";
    case 0x07:
      return "Communication controller";
    case 0x08:
      return "Generic system peripheral";
    case 0x0c:
      return "Serial bus controller";
    default:
      return "Unclassified device";
  }
}

json::object usb_device(const fs::path& p, const HardwareIds& ids) {
  const std::string vendor_hex = read_sysfs(p / "idVendor"), product_hex = read_sysfs(p / "idProduct");
  const auto vendor_id = hex_value(vendor_hex), product_id = hex_value(product_hex);
  std::string vendor, product;
  if (vendor_id) vendor = ids.usb_vendor(static_cast<uint16_t>(*vendor_id)).value_or("");
  if (vendor_id && product_id)
    product = ids.usb_product(static_cast<uint16_t>(*vendor_id), static_cast<uint16_t>(*product_id)).value_or("");
  // What the device says of itself when the database does not know it.
  if (vendor.empty()) vendor = read_sysfs(p / "manufacturer");
  if (product.empty()) product = read_sysfs(p / "product");
  json::object capability{{"product", text_or_null(product)},
                          {"product_id", vendor_hex.empty() || product_hex.empty() ? json::value(nullptr)
                                                                                   : json::value("0x" + product_hex)},
                          {"vendor", text_or_null(vendor)},
                          {"vendor_id", vendor_hex.empty() ? json::value(nullptr) : json::value("0x" + vendor_hex)},
                          {"bus", text_or_null(decimal(read_sysfs(p / "busnum")))},
                          {"device", text_or_null(decimal(read_sysfs(p / "devnum")))}};
  std::string missing;
  for (const char* key : {"bus", "device", "vendor_id", "product_id", "vendor", "product"})
    if (capability.at(key).is_null()) missing += (missing.empty() ? "" : ", ") + std::string(key);
  std::string description =
      !vendor.empty() && !product.empty() ? product + " by " + vendor
      : !product.empty()                  ? product
      : !vendor.empty()                   ? "Device by " + vendor
                        : "USB Device " + decimal(read_sysfs(p / "busnum")) + ":" + decimal(read_sysfs(p / "devnum"));
  return json::object{{"capability", std::move(capability)},
                      {"available", missing.empty()},
                      {"error", missing.empty() ? json::value(nullptr)
                                                : json::value("Missing required USB device information: " + missing)},
                      {"description", std::move(description)}};
}

}  // namespace

std::string read_sysfs(const fs::path& file) {
  std::ifstream in(file);
  std::string s((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ' || s.back() == '\0')) s.pop_back();
  return s;
}

json::object usb_devices_in(const fs::path& usb_dir, const HardwareIds& ids) {
  json::object out;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(usb_dir, ec)) {
    const fs::path& p = e.path();
    if (!fs::exists(p / "idVendor") || !fs::exists(p / "busnum")) continue;  // interfaces, not devices
    // A hub (root hubs too) is never passed through: a guest would get all that hangs on it.
    if (read_sysfs(p / "bDeviceClass") == "09") continue;
    std::string name = "usb_" + decimal(read_sysfs(p / "busnum")) + "_" + decimal(read_sysfs(p / "devnum"));
    if (!out.contains(name)) out[name] = usb_device(p, ids);
  }
  return out;
}

json::object pci_devices_in(const fs::path& pci_dir, const HardwareIds& ids) {
  json::object out;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(pci_dir, ec)) {
    const fs::path& p = e.path();
    std::string addr = p.filename().string();  // 0000:00:1f.2
    unsigned domain = 0, bus = 0, slot = 0, function = 0;
    if (std::sscanf(addr.c_str(), "%x:%x:%x.%x", &domain, &bus, &slot, &function) != 4) continue;
    std::string name = "pci_" + addr;
    std::replace(name.begin(), name.end(), ':', '_');
    std::replace(name.begin(), name.end(), '.', '_');
    const std::string class_text = read_sysfs(p / "class");
    const unsigned cls = hex_value(class_text).value_or(0);
    char hex[32];
    auto fmt = [&](const char* f, unsigned v) {
      std::snprintf(hex, sizeof hex, f, v);
      return std::string(hex);
    };
    json::array drivers;
    std::error_code dec;
    if (auto d = fs::read_symlink(p / "driver", dec); !dec) drivers.push_back(json::string(d.filename().string()));
    json::value group = nullptr;
    json::array addresses;
    if (auto g = fs::read_symlink(p / "iommu_group", dec); !dec) {
      for (const auto& member : fs::directory_iterator(p / "iommu_group" / "devices", dec)) {
        unsigned md = 0, mb = 0, ms = 0, mf = 0;
        if (std::sscanf(member.path().filename().c_str(), "%x:%x:%x.%x", &md, &mb, &ms, &mf) == 4)
          addresses.push_back(json::object{{"domain", fmt("0x%04x", md)},
                                           {"bus", fmt("0x%02x", mb)},
                                           {"slot", fmt("0x%02x", ms)},
                                           {"function", fmt("0x%x", mf)}});
      }
      group = json::object{{"number", std::stoi(g.filename().string())}, {"addresses", std::move(addresses)}};
    }
    const auto vendor_id = hex_value(read_sysfs(p / "vendor")), device_id = hex_value(read_sysfs(p / "device"));
    std::string vendor =
        vendor_id ? ids.pci_vendor(static_cast<uint16_t>(*vendor_id)).value_or("Not Available") : "Not Available";
    std::string product = vendor_id && device_id
                              ? ids.pci_device(static_cast<uint16_t>(*vendor_id), static_cast<uint16_t>(*device_id))
                                    .value_or("Not Available")
                              : "Not Available";
    const std::string controller = ids.pci_subclass(cls).value_or(pci_class_fallback(cls));
    // Host bridges and the like keep the machine alive: never hand them to a guest.
    const bool critical = (cls >> 16) == 0x06;
    json::value error = nullptr;
    if (critical)
      error =
          json::string("'" + std::string(pci_class_fallback(cls)) +
                       "' based PCI devices are critical for system function and cannot be used for PCI passthrough");
    else if (group.is_null())
      error = "IOMMU group is not available for this device";
    json::object capability{{"class", class_text.empty() ? json::value(nullptr) : json::value(class_text)},
                            {"domain", std::to_string(domain)},
                            {"bus", std::to_string(bus)},
                            {"slot", std::to_string(slot)},
                            {"function", std::to_string(function)},
                            {"product", product},
                            {"vendor", vendor}};
    out[name] = json::object{{"capability", std::move(capability)},
                             {"controller_type", controller},
                             {"iommu_group", std::move(group)},
                             {"available", error.is_null()},
                             {"drivers", std::move(drivers)},
                             {"error", error},
                             {"reset_mechanism_defined", fs::exists(p / "reset")},
                             {"description", addr + " '" + controller + "': " + product + " by '" + vendor + "'"},
                             {"critical", critical},
                             {"device_path", p.string()}};
  }
  return out;
}

}  // namespace mw::vm
