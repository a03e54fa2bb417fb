#pragma once
// The QEMU side of each device type (dtype): what it needs of the host before QEMU starts and the
// arguments it adds. One file per dtype in this folder (DISK and RAW share disk.cpp), declared in
// qemu_devices.hpp, beside the API side of the same dtype in plugins/vm/device/<dtype>.cpp
// (validation beyond the schema, host files at create). The two halves meet at the typed model
// (model/device_config.hpp), which holds each dtype's attributes, defaults and default boot order,
// the one both halves use.
//
// Why a second file per dtype and not one DeviceKind holding both: the builder is in mw_hypervisor,
// below the vm plugin (mw_plugin_vm) in the library graph, and the plugin's kinds validate against
// its catalog and host probes. Handing those kinds down to the builder would make the hypervisor
// depend on the plugin (a cycle) or have them injected from above, and the builder's golden tests,
// which link only mw_hypervisor, would need the whole plugin.
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "model/device_config.hpp"
#include "model/vm_config.hpp"

#include "../command_line.hpp"
#include "../host_facts.hpp"

namespace mw::vm::hypervisor::qemu {

// QEMU option values use ',' as separator; a literal comma is written twice.
std::string esc(const std::string& value);

// The command being built, as its devices see it: the argument list, the buses they share
// (each controller added on first use), boot indexes, the host facts, and what QEMU is given or
// told besides its arguments.
class QemuDeviceArgs {
 public:
  QemuDeviceArgs(const VmConfig& vm, const HostFacts& facts, QemuCommand& cmd) : vm_(vm), facts_(facts), cmd_(cmd) {}

  const VmConfig& vm() const { return vm_; }
  const HostFacts& facts() const { return facts_; }
  void add(std::string arg) { cmd_.argv.push_back(std::move(arg)); }
  void add(std::string option, std::string value) {
    add(std::move(option));
    add(std::move(value));
  }

  // The machine type chosen by the builder ("pc", "q35", "pc-q35-7.2", ...).
  void set_machine(std::string machine) { machine_ = std::move(machine); }
  bool q35() const;

  // "ahciN.P": one ich9-ahci controller per six ports.
  std::string next_ahci_port();
  // "bus=...,unit=...": the pc machine's own PIIX3 (ide.0/ide.1, two units each); q35 gets a
  // PIIX3 added. Throws CommandLineError past four.
  std::string next_ide_slot();
  // "bus=scsi0.0,channel=0,scsi-id=N,lun=0" on one virtio-scsi controller.
  std::string next_scsi_target();
  // The bus of the USB controller `type` (a UsbControllerType), implemented by `qemu_device`.
  std::string usb_bus(const std::string& type, std::string_view qemu_device);
  // Boot indexes in the order devices ask for them (the builder visits them in boot order).
  int next_bootindex() { return bootindex_++; }

  void secret_file(SecretFile secret) { cmd_.secret_files.push_back(std::move(secret)); }
  void display_password(DisplayPassword password) { cmd_.display_passwords.push_back(std::move(password)); }
  // Device DMA needs all guest memory resident (-overcommit mem-lock=on).
  void lock_memory() { lock_memory_ = true; }
  bool memory_locked() const { return lock_memory_; }

 private:
  const VmConfig& vm_;
  const HostFacts& facts_;
  QemuCommand& cmd_;
  std::string machine_;
  int bootindex_ = 1;
  int ahci_ports_ = 0;
  int ide_slots_ = 0;
  int scsi_targets_ = 0;
  std::vector<std::string> usb_buses_;
  bool lock_memory_ = false;
};

// What the devices learn of the host before QEMU starts, and what they must do once it runs.
// Nothing here changes the host before QEMU starts, so a refused start has nothing to undo; what
// runs once QEMU runs is undone by stopping QEMU (it removes the taps it created).
struct HostPreparation {
  HostFacts& facts;
  // In order, once QEMU answers QMP; one throwing std::system_error powers the VM off.
  std::vector<std::function<void()>> once_running;
};

class QemuDevice {
 public:
  virtual ~QemuDevice() = default;
  virtual std::string_view dtype() const = 0;
  // The probes the pure builder must not make itself; throws HypervisorError.
  virtual void prepare_host(const DeviceConfig& device, HostPreparation& host) const = 0;
  // The device's arguments; devices are visited in boot order. Throws CommandLineError.
  virtual void add_arguments(const DeviceConfig& device, QemuDeviceArgs& args) const = 0;
  // Once per VM, after every device's arguments, with all devices in boot order: what the
  // devices of this dtype need together (one video device for all displays).
  virtual void after_devices(const std::vector<const DeviceConfig*>& devices, QemuDeviceArgs& args) const {}
};

// A QEMU device part working on its own attribute struct.
template <class Attributes>
class TypedQemuDevice : public QemuDevice {
 public:
  std::string_view dtype() const final { return Attributes::dtype; }
  void prepare_host(const DeviceConfig& device, HostPreparation& host) const final {
    prepare(device, attributes_as<Attributes>(device.attributes), host);
  }
  void add_arguments(const DeviceConfig& device, QemuDeviceArgs& args) const final {
    arguments(device, attributes_as<Attributes>(device.attributes), args);
  }

 protected:
  virtual void prepare(const DeviceConfig& device, const Attributes& attributes, HostPreparation& host) const {}
  virtual void arguments(const DeviceConfig& device, const Attributes& attributes, QemuDeviceArgs& args) const = 0;
};

// The QEMU side of `device`'s dtype.
const QemuDevice& qemu_device(const DeviceConfig& device);
// Every dtype's, in a fixed order.
const std::vector<const QemuDevice*>& qemu_devices();

}  // namespace mw::vm::hypervisor::qemu
