#pragma once
// Vendor, device and class names from the hardware databases (Debian's hwdata: pci.ids and
// usb.ids), as TrueNAS shows them for host devices. Parsed once from text; a missing file gives
// no names.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace mw::vm {

class HardwareIds {
 public:
  // The text of pci.ids and usb.ids (either may be empty).
  HardwareIds(std::string_view pci_ids, std::string_view usb_ids);
  // From the first of the usual places each file lives.
  static const HardwareIds& system();

  std::optional<std::string> pci_vendor(uint16_t vendor) const;
  std::optional<std::string> pci_device(uint16_t vendor, uint16_t device) const;
  // The subclass name of a PCI class code (0x030000 -> "VGA compatible controller").
  std::optional<std::string> pci_subclass(uint32_t class_code) const;
  std::optional<std::string> usb_vendor(uint16_t vendor) const;
  std::optional<std::string> usb_product(uint16_t vendor, uint16_t product) const;

 private:
  struct Table {
    std::map<uint16_t, std::string> vendors;
    std::map<std::pair<uint16_t, uint16_t>, std::string> devices;
    std::map<std::pair<uint16_t, uint16_t>, std::string> subclasses;  // (class, subclass), pci.ids only
  };
  static Table parse(std::string_view text);
  static std::optional<std::string> find(const auto& map, const auto& key);

  Table pci_;
  Table usb_;
};

}  // namespace mw::vm
