#pragma once
// A device's stored configuration, typed: one attribute struct per dtype, held in a variant.
// Converted at the edges only (validated params, SQLite rows, the wire). The schema's defaults
// (schemas/vm/common.json#/definitions/attributes_<DTYPE>) are the source: validated params carry
// every field. The member initialisers serve what has no params (a stored row written before a
// field existed, typed test fixtures) and a unit test holds them equal to the schema's.
#include <algorithm>
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include <middlewared/json.hpp>

#include "model/boxed.hpp"

namespace mw::vm {

// When a device gives no order (or 0): CD-ROMs boot before disks, disks before the rest.
inline constexpr std::int64_t kOrderCdrom = 1000;
inline constexpr std::int64_t kOrderDisk = 1001;
inline constexpr std::int64_t kOrderOther = 1002;

struct CdromAttributes {
  static constexpr bool is_record = true;
  static constexpr std::string_view dtype = "CDROM";
  static constexpr std::int64_t default_order = kOrderCdrom;
  std::string path;
  // Not a client attribute (the API has no CD-ROM bus): always AHCI there; the command-line
  // builder's test fixtures may choose "SCSI".
  std::string bus = "AHCI";
  template <class F>
  static void fields(F&& f) {
    f("path", &CdromAttributes::path);
  }
  bool operator==(const CdromAttributes&) const = default;
};

// What DISK and RAW share (both are disks to QEMU).
struct DiskCommon {
  std::string type = "AHCI";  // AHCI, VIRTIO, SCSI, IDE
  std::optional<std::int64_t> logical_sectorsize;
  std::optional<std::int64_t> physical_sectorsize;
  std::string iotype = "THREADS";  // NATIVE, THREADS, IO_URING
  std::optional<std::string> serial;
  bool operator==(const DiskCommon&) const = default;
};

struct DiskAttributes : DiskCommon {
  static constexpr bool is_record = true;
  static constexpr std::string_view dtype = "DISK";
  static constexpr std::int64_t default_order = kOrderDisk;
  std::optional<std::string> path;
  bool create_zvol = false;
  std::optional<std::string> zvol_name;
  std::optional<std::int64_t> zvol_volsize;
  template <class F>
  static void fields(F&& f) {
    f("path", &DiskAttributes::path);
    f("type", &DiskAttributes::type);
    f("create_zvol", &DiskAttributes::create_zvol);
    f("zvol_name", &DiskAttributes::zvol_name);
    f("zvol_volsize", &DiskAttributes::zvol_volsize);
    f("logical_sectorsize", &DiskAttributes::logical_sectorsize);
    f("physical_sectorsize", &DiskAttributes::physical_sectorsize);
    f("iotype", &DiskAttributes::iotype);
    f("serial", &DiskAttributes::serial);
  }
  bool operator==(const DiskAttributes&) const = default;
};

struct RawAttributes : DiskCommon {
  static constexpr bool is_record = true;
  static constexpr std::string_view dtype = "RAW";
  static constexpr std::int64_t default_order = kOrderDisk;
  std::string path;
  bool exists = false;
  bool boot = false;
  std::optional<std::int64_t> size;
  template <class F>
  static void fields(F&& f) {
    f("path", &RawAttributes::path);
    f("type", &RawAttributes::type);
    f("exists", &RawAttributes::exists);
    f("boot", &RawAttributes::boot);
    f("size", &RawAttributes::size);
    f("logical_sectorsize", &RawAttributes::logical_sectorsize);
    f("physical_sectorsize", &RawAttributes::physical_sectorsize);
    f("iotype", &RawAttributes::iotype);
    f("serial", &RawAttributes::serial);
  }
  bool operator==(const RawAttributes&) const = default;
};

struct DisplayAttributes {
  static constexpr bool is_record = true;
  static constexpr std::string_view dtype = "DISPLAY";
  static constexpr std::int64_t default_order = kOrderOther;
  std::string type = "SPICE";  // SPICE, VNC
  std::string resolution = "1024x768";
  std::optional<std::int64_t> port;
  std::optional<std::int64_t> web_port;
  std::string bind = "127.0.0.1";
  bool wait = false;
  std::optional<std::string> password;
  bool web = true;
  template <class F>
  static void fields(F&& f) {
    f("type", &DisplayAttributes::type);
    f("resolution", &DisplayAttributes::resolution);
    f("port", &DisplayAttributes::port);
    f("web_port", &DisplayAttributes::web_port);
    f("bind", &DisplayAttributes::bind);
    f("wait", &DisplayAttributes::wait);
    f("password", &DisplayAttributes::password);
    f("web", &DisplayAttributes::web);
  }
  bool operator==(const DisplayAttributes&) const = default;
};

struct PciAddress {
  static constexpr bool is_record = true;
  std::int64_t domain = 0;
  std::int64_t bus = 0;
  std::int64_t slot = 0;
  std::int64_t function = 0;
  template <class F>
  static void fields(F&& f) {
    f("domain", &PciAddress::domain);
    f("bus", &PciAddress::bus);
    f("slot", &PciAddress::slot);
    f("function", &PciAddress::function);
  }
  bool operator==(const PciAddress&) const = default;
};

struct NicAttributes {
  static constexpr bool is_record = true;
  static constexpr std::string_view dtype = "NIC";
  static constexpr std::int64_t default_order = kOrderOther;
  std::string type = "E1000";  // E1000, VIRTIO
  std::optional<std::string> nic_attach;
  std::optional<std::string> mac;
  bool trust_guest_rx_filters = false;
  std::optional<PciAddress> pci_address;
  template <class F>
  static void fields(F&& f) {
    f("type", &NicAttributes::type);
    f("nic_attach", &NicAttributes::nic_attach);
    f("mac", &NicAttributes::mac);
    f("trust_guest_rx_filters", &NicAttributes::trust_guest_rx_filters);
    f("pci_address", &NicAttributes::pci_address);
  }
  bool operator==(const NicAttributes&) const = default;
};

struct PciAttributes {
  static constexpr bool is_record = true;
  static constexpr std::string_view dtype = "PCI";
  static constexpr std::int64_t default_order = kOrderOther;
  std::string pptdev;
  template <class F>
  static void fields(F&& f) {
    f("pptdev", &PciAttributes::pptdev);
  }
  bool operator==(const PciAttributes&) const = default;
};

struct UsbIds {
  static constexpr bool is_record = true;
  std::string vendor_id;
  std::string product_id;
  template <class F>
  static void fields(F&& f) {
    f("vendor_id", &UsbIds::vendor_id);
    f("product_id", &UsbIds::product_id);
  }
  bool operator==(const UsbIds&) const = default;
};

struct UsbAttributes {
  static constexpr bool is_record = true;
  static constexpr std::string_view dtype = "USB";
  static constexpr std::int64_t default_order = kOrderOther;
  std::optional<UsbIds> usb;
  std::string controller_type = "nec-xhci";
  std::optional<std::string> device;
  template <class F>
  static void fields(F&& f) {
    f("usb", &UsbAttributes::usb);
    f("controller_type", &UsbAttributes::controller_type);
    f("device", &UsbAttributes::device);
  }
  bool operator==(const UsbAttributes&) const = default;
};

// The three largest kinds are held boxed (model/boxed.hpp): a variant is as large as its largest
// alternative, and a DISK's 240 bytes held in place would be paid by every NIC row of the catalog
// too (160 bytes), the device nearly every VM has several of. Code reaches the attribute structs
// themselves, never their boxes, through the functions below and DeviceConfig::get.
using DeviceAttributes = std::variant<CdromAttributes, Boxed<DiskAttributes>, Boxed<DisplayAttributes>, NicAttributes,
                                      PciAttributes, Boxed<RawAttributes>, UsbAttributes>;

// The attribute struct of the I-th kind (DiskAttributes, not its box).
template <std::size_t I>
using AttributesAt = typename detail::Unboxed<std::variant_alternative_t<I, DeviceAttributes>>::type;

// std::visit over the attribute structs themselves: `f` is called with a DiskAttributes&, never
// with its box.
template <class F, class Attributes>
decltype(auto) visit_attributes(F&& f, Attributes&& attributes) {
  return std::visit([&](auto& a) -> decltype(auto) { return f(detail::unbox(a)); }, attributes);
}

// The T of `attributes` (a DeviceAttributes, const or not), or nullptr when it holds another kind.
template <class T, class Attributes>
auto* attributes_if(Attributes& attributes) {
  auto* stored = std::get_if<typename detail::StoredAs<T, std::remove_const_t<Attributes>>::type>(&attributes);
  return stored ? &detail::unbox(*stored) : nullptr;
}
// The T of `attributes`; throws std::bad_variant_access when it holds another kind, as std::get.
template <class T, class Attributes>
auto& attributes_as(Attributes& attributes) {
  if (auto* a = attributes_if<T>(attributes)) return *a;
  throw std::bad_variant_access();
}

// A USB controller type (the attribute's values) and the QEMU device that implements it.
struct UsbControllerType {
  std::string_view type;
  std::string_view qemu_device;
};
inline constexpr std::array<UsbControllerType, 8> kUsbControllerTypes{{
    {"piix3-uhci", "piix3-usb-uhci"},
    {"piix4-uhci", "piix4-usb-uhci"},
    {"ehci", "usb-ehci"},
    {"ich9-ehci1", "ich9-usb-ehci1"},
    {"vt82c686b-uhci", "vt82c686b-usb-uhci"},
    {"pci-ohci", "pci-ohci"},
    {"nec-xhci", "nec-usb-xhci"},
    {"qemu-xhci", "qemu-xhci"},
}};

struct DeviceConfig {
  std::int64_t id = 0;
  std::int64_t vm = 0;
  std::int64_t order = 0;
  DeviceAttributes attributes;

  std::string_view dtype() const;
  template <class T>
  const T* get() const {
    return attributes_if<T>(attributes);
  }
  template <class T>
  T* get() {
    return attributes_if<T>(attributes);
  }
  // The order used for booting: the stored one, or the dtype's default when it is 0.
  std::int64_t boot_order() const;
  // The host file or block device of a DISK, RAW or CDROM (nullptr for the others or a DISK
  // without a path).
  const std::string* path() const;
  bool operator==(const DeviceConfig&) const = default;
};

// {"dtype", then the fields in schema order}.
json::object to_json(const DeviceAttributes& attributes);
// {id, vm, order, attributes}.
json::object to_json(const DeviceConfig& device);
// nullopt when "dtype" is missing or names no device type; other absent or mistyped fields keep
// their defaults.
std::optional<DeviceAttributes> attributes_from_json(const json::object& attributes);
// The same from the attributes' JSON text, when it is in the plain form this server writes
// (serialising to_json(), "dtype" first: model/record_parse.hpp), without building a json::value;
// nullopt for any other text, whose meaning attributes_from_json() of the parsed value decides.
std::optional<DeviceAttributes> attributes_from_plain_text(std::string_view text);
// A device entry {id, vm, order, attributes}; throws std::invalid_argument for an unknown dtype.
DeviceConfig device_from_json(const json::object& entry);
// Default attributes of `dtype` (nullopt for an unknown one).
std::optional<DeviceAttributes> default_attributes(std::string_view dtype);

// The dtype's default boot order.
std::int64_t default_order(const DeviceAttributes& attributes);
// `devices` in the order they boot: by boot_order(), then by id.
inline std::vector<const DeviceConfig*> boot_sorted(const std::vector<DeviceConfig>& devices) {
  std::vector<const DeviceConfig*> out;
  for (const auto& d : devices) out.push_back(&d);
  std::stable_sort(out.begin(), out.end(), [](const DeviceConfig* a, const DeviceConfig* b) {
    return std::pair(a->boot_order(), a->id) < std::pair(b->boot_order(), b->id);
  });
  return out;
}

// UEFI CODE files that need SMM and a q35 machine (secure boot, Microsoft or test keys).
bool is_secure_firmware(std::string_view code_file);

}  // namespace mw::vm
