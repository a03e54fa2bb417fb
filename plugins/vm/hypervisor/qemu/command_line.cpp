#include "command_line.hpp"

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <optional>

#include <mw/util/python.hpp>

namespace mw::vm::hypervisor::qemu {

namespace {

// QEMU option values use ',' as separator; a literal comma is written twice.
std::string esc(const std::string& value) {
  std::string out;
  for (char c : value) {
    out += c;
    if (c == ',') out += ',';
  }
  return out;
}

std::vector<const DeviceConfig*> boot_sorted(const std::vector<DeviceConfig>& devices) {
  std::vector<const DeviceConfig*> out;
  for (const auto& d : devices) out.push_back(&d);
  std::stable_sort(out.begin(), out.end(), [](const DeviceConfig* a, const DeviceConfig* b) {
    return std::pair(a->boot_order(), a->id) < std::pair(b->boot_order(), b->id);
  });
  return out;
}

bool is_q35(const std::string& machine) { return machine.find("q35") != std::string::npos; }

const char* usb_controller_device(const std::string& type) {
  for (const auto& c : kUsbControllerTypes)
    if (c.type == type) return c.qemu_device.data();
  return nullptr;
}

class Builder {
 public:
  Builder(const VmConfig& vm, const std::vector<DeviceConfig>& devices, const HostFacts& facts)
      : vm_(vm), devices_(boot_sorted(devices)), facts_(facts) {}

  QemuCommand build() {
    binary_and_identity();
    machine_and_firmware();
    cpu_and_memory();
    add("-rtc", vm_.time == "UTC" ? "base=utc" : "base=localtime");
    add("-nodefaults");
    add("-no-user-config");
    add("-display", "none");
    add("-msg", "timestamp=on");
    control_files();
    consoles();
    // Each device type adds its own arguments, in boot order.
    for (const DeviceConfig* dev : devices_) std::visit([&](const auto& a) { device(*dev, a); }, dev->attributes);
    video_and_input();
    if (vm_.trusted_platform_module) tpm();
    if (vm_.min_memory) {
      add("-device", "virtio-balloon-pci,id=balloon0,deflate-on-oom=on,free-page-reporting=on");
      if (*vm_.min_memory < vm_.memory) cmd_.balloon_target = static_cast<std::uint64_t>(*vm_.min_memory) << 20;
    }
    if (needs_mem_lock_) add("-overcommit", "mem-lock=on");
    test_boot();
    user_arguments();
    return std::move(cmd_);
  }

 private:
  void add(std::string a) { cmd_.argv.push_back(std::move(a)); }
  void add(std::string a, std::string b) {
    add(std::move(a));
    add(std::move(b));
  }

  void binary_and_identity() {
    const auto arch = vm_.arch_type.value_or("x86_64");
    if (arch == "x86_64") {
      add(facts_.qemu_x86_64);
      i386_ = false;
    } else if (arch == "i686" || arch == "i386") {
      add(facts_.qemu_i386);
      i386_ = true;
    } else {
      throw CommandLineError("Architecture '" + arch + "' is not supported on this host");
    }
    add("-name", "guest=" + esc(vm_.label()) + ",process=" + esc(vm_.label()) + ",debug-threads=on");
    add("-uuid", vm_.uuid.value_or(""));
  }

  void machine_and_firmware() {
    const bool uefi = vm_.bootloader == "UEFI";
    const bool secure_boot = vm_.enable_secure_boot;
    std::string code;
    if (uefi) {
      code = vm_.bootloader_ovmf.value_or("");
      if (code.empty()) code = secure_boot ? kDefaultSecureOvmf : kDefaultOvmf;
    }
    const bool smm = uefi && (secure_boot || is_secure_firmware(code));
    machine_ = vm_.machine_type.value_or("");
    if (machine_.empty()) machine_ = smm ? "q35" : "pc";
    if (smm && !is_q35(machine_)) {
      throw CommandLineError("Secure boot firmware " + code + " needs a q35 machine type, not " + machine_);
    }
    std::string machine = machine_;
    if (smm) machine += ",smm=on";
    if (uefi) machine += ",pflash0=pflash0,pflash1=pflash1";
    add("-machine", machine);
    add("-accel", facts_.kvm_usable ? "kvm" : "tcg");
    if (!uefi) return;  // UEFI_CSM: QEMU's default SeaBIOS is the legacy BIOS
    add("-blockdev", "node-name=pflash0,driver=file,filename=" + esc(facts_.ovmf_dir + "/" + code) + ",read-only=on");
    add("-blockdev", "node-name=pflash1,driver=file,filename=" + esc(facts_.paths.vars_file));
    if (smm) add("-global", "driver=cfi.pflash01,property=secure,value=on");
    cmd_.vars_template = facts_.ovmf_dir + "/" + vars_template_for(code);
  }

  void cpu_and_memory() {
    const auto& mode = vm_.cpu_mode;
    const bool kvm = facts_.kvm_usable;
    std::string model;
    std::vector<std::string> flags;
    if (mode == "HOST-PASSTHROUGH" || mode == "HOST-MODEL") {
      model = kvm ? "host" : "max";  // `host` needs KVM; `max` is TCG's everything-it-can
      if (kvm && mode == "HOST-PASSTHROUGH") flags.push_back("host-cache-info=on");
    } else {
      model = vm_.cpu_model.value_or("");
    }
    if (vm_.enable_cpu_topology_extension) flags.push_back("topoext=on");
    if (vm_.hide_from_msr) flags.push_back("kvm=off");
    if (vm_.hyperv_enlightenments) {
      // Only the CPUID-only flags work under TCG; the rest need KVM's Hyper-V emulation.
      flags.insert(flags.end(), {"hv-relaxed", "hv-vapic", "hv-spinlocks=0x1fff"});
      if (kvm) {
        flags.insert(flags.end(), {"hv-vpindex", "hv-runtime", "hv-synic", "hv-stimer", "hv-reset", "hv-frequencies",
                                   "hv-time", "hv-ipi", "hv-tlbflush"});
      }
    }
    if (model.empty() && !flags.empty()) model = i386_ ? "qemu32" : "qemu64";
    if (!model.empty()) {
      std::string cpu = model;
      for (const auto& f : flags) cpu += "," + f;
      add("-cpu", cpu);
    }
    const auto sockets = vm_.vcpus;
    const auto cores = vm_.cores;
    const auto threads = vm_.threads;
    add("-smp", std::to_string(sockets * cores * threads) + ",sockets=" + std::to_string(sockets) +
                    ",cores=" + std::to_string(cores) + ",threads=" + std::to_string(threads));
    const auto memory = vm_.memory;
    add("-m", std::to_string(memory));
    if (const auto& nodeset = vm_.nodeset; nodeset && !nodeset->empty()) {
      if (!util::parse_cpuset(*nodeset)) throw CommandLineError("Invalid nodeset '" + *nodeset + "'");
      std::string backend = "memory-backend-ram,id=ram-node0,size=" + std::to_string(memory) + "M";
      std::string_view rest(*nodeset);
      while (!rest.empty()) {
        auto comma = rest.find(',');
        backend += ",host-nodes=" + std::string(rest.substr(0, comma));
        rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
      }
      add("-object", backend + ",policy=bind");
      add("-numa", "node,nodeid=0,memdev=ram-node0");
    }
  }

  void control_files() {
    const auto& p = facts_.paths;
    add("-pidfile", p.pidfile);
    add("-qmp", "unix:" + esc(p.qmp_socket) + ",server=on,wait=off");
    add("-qmp", "unix:" + esc(p.debug_qmp_socket) + ",server=on,wait=off");
  }

  void consoles() {
    const auto& p = facts_.paths;
    add("-chardev", "socket,id=serial0,path=" + esc(p.serial_socket) +
                        ",server=on,wait=off,logfile=" + esc(p.serial_log) + ",logappend=on");
    add("-serial", "chardev:serial0");
    add("-device", "virtio-serial-pci,id=vser0");
    add("-chardev", "socket,id=qga0,path=" + esc(p.guest_agent_socket) + ",server=on,wait=off");
    add("-device", "virtserialport,bus=vser0.0,chardev=qga0,name=org.qemu.guest_agent.0");
  }

  // One ich9-ahci controller per six ports, created on first use.
  std::string next_ahci_port() {
    const int controller = ahci_ports_ / 6;
    if (ahci_ports_ % 6 == 0) add("-device", "ich9-ahci,id=ahci" + std::to_string(controller));
    return "ahci" + std::to_string(controller) + "." + std::to_string(ahci_ports_++ % 6);
  }

  // Legacy IDE: the pc machine's own PIIX3 (ide.0/ide.1, two units each); q35 gets a PIIX3 added.
  std::string next_ide_slot() {
    if (ide_slots_ == 4) throw CommandLineError("At most 4 IDE devices are supported");
    std::string controller = "ide";
    if (is_q35(machine_)) {
      if (ide_slots_ == 0) add("-device", "piix3-ide,id=pata0");
      controller = "pata0";
    }
    const int slot = ide_slots_++;
    return "bus=" + controller + "." + std::to_string(slot / 2) + ",unit=" + std::to_string(slot % 2);
  }

  std::string next_scsi_target() {
    if (scsi_targets_ == 0) add("-device", "virtio-scsi-pci,id=scsi0");
    return "bus=scsi0.0,channel=0,scsi-id=" + std::to_string(scsi_targets_++) + ",lun=0";
  }

  void device(const DeviceConfig& dev, const DiskAttributes& a) { disk(dev, a, a.path.value_or(""), "host_device"); }
  void device(const DeviceConfig& dev, const RawAttributes& a) { disk(dev, a, a.path, "file"); }

  void disk(const DeviceConfig& dev, const DiskCommon& a, const std::string& path, const char* driver) {
    const auto id = std::to_string(dev.id);
    const auto& type = a.type;
    const bool direct = !facts_.no_direct_io_paths.contains(path);
    const auto& iotype = a.iotype;
    std::string aio = "threads";
    if (iotype == "IO_URING") aio = "io_uring";
    if (iotype == "NATIVE" && direct) aio = "native";  // native AIO requires O_DIRECT
    add("-blockdev", std::string("driver=") + driver + ",filename=" + esc(path) + ",node-name=drive-disk" + id +
                         "-file,cache.direct=" + (direct ? "on" : "off") + ",aio=" + aio + ",discard=unmap");
    add("-blockdev", "driver=raw,file=drive-disk" + id + "-file,node-name=drive-disk" + id + ",discard=unmap");
    const auto logical = a.logical_sectorsize.value_or(0);
    const auto physical = a.physical_sectorsize.value_or(0);
    std::string dev_arg;
    if (type == "VIRTIO") {
      dev_arg = "virtio-blk-pci";
    } else if (type == "SCSI") {
      dev_arg = "scsi-hd," + next_scsi_target();
    } else if (type == "AHCI" || type == "IDE") {
      if (logical > 512) {
        throw CommandLineError("Disk " + path + ": QEMU's " + type +
                               " disks support only 512-byte logical sectors; use VIRTIO or SCSI");
      }
      dev_arg = type == "AHCI" ? "ide-hd,bus=" + next_ahci_port() : "ide-hd," + next_ide_slot();
    } else {
      throw CommandLineError("Disk bus type '" + type + "' is not supported");
    }
    dev_arg += ",drive=drive-disk" + id + ",id=disk" + id;
    if (const auto& serial = a.serial; serial && !serial->empty()) {
      dev_arg += ",serial=" + esc(*serial);
    }
    if (logical) dev_arg += ",logical_block_size=" + std::to_string(logical);
    if (physical) dev_arg += ",physical_block_size=" + std::to_string(physical);
    dev_arg += ",bootindex=" + std::to_string(bootindex_++);
    add("-device", dev_arg);
  }

  void device(const DeviceConfig& dev, const CdromAttributes& a) {
    const auto id = std::to_string(dev.id);
    add("-blockdev", "driver=file,filename=" + esc(a.path) + ",node-name=drive-cd" + id + "-file,read-only=on");
    add("-blockdev", "driver=raw,file=drive-cd" + id + "-file,node-name=drive-cd" + id + ",read-only=on");
    const bool scsi = a.bus == "SCSI";
    const auto where = scsi ? "scsi-cd," + next_scsi_target() : "ide-cd,bus=" + next_ahci_port();
    add("-device", where + ",drive=drive-cd" + id + ",id=cd" + id + ",bootindex=" + std::to_string(bootindex_++));
  }

  void device(const DeviceConfig& dev, const NicAttributes& a) {
    const auto id = std::to_string(dev.id);
    const auto& attach = a.nic_attach;
    if (!attach || attach->empty()) {
      // No host interface chosen: user-mode networking, so a VM has a working NIC out of the box.
      add("-netdev", "user,id=net" + id);
    } else {
      auto tap = facts_.tap_names.find(dev.id);
      if (tap == facts_.tap_names.end()) {
        throw CommandLineError("NIC " + id + ": no tap interface was prepared for '" + *attach + "'");
      }
      std::string netdev = "tap,id=net" + id + ",ifname=" + esc(tap->second) + ",script=no,downscript=no";
      if (facts_.vhost_net) netdev += ",vhost=on";  // vhost=on aborts QEMU 7.2 without /dev/vhost-net
      add("-netdev", netdev);
    }
    const auto model = a.type == "VIRTIO" ? "virtio-net-pci" : "e1000";
    std::string device = std::string(model) + ",netdev=net" + id + ",id=nic" + id;
    if (const auto& mac = a.mac; mac && !mac->empty()) device += ",mac=" + *mac;
    add("-device", device);
  }

  static std::string host_address(const std::string& bind) {
    return bind.find(':') != std::string::npos ? "[" + bind + "]" : bind;
  }

  void device(const DeviceConfig& dev, const DisplayAttributes& a) {
    displays_.push_back(&a);
    const auto id = std::to_string(dev.id);
    const auto& type = a.type;
    const auto& bind = a.bind;
    const auto port = a.port.value_or(0);
    const auto& password = a.password;
    if (type == "VNC") {
      std::string vnc =
          port ? host_address(bind) + ":" + std::to_string(port - 5900) : "unix:" + esc(facts_.paths.vnc_socket);
      // password=on keeps the display locked until set_password gives it the real password.
      add("-vnc", vnc + ",password=on");
      if (password && !password->empty()) cmd_.display_passwords.push_back({"vnc", *password});
      return;
    }
    if (type != "SPICE") throw CommandLineError("Display type '" + type + "' is not supported");
    if (!facts_.spice) {
      throw CommandLineError("SPICE display requested but this QEMU has no SPICE support installed");
    }
    spice_ = true;
    std::string spice = port ? "port=" + std::to_string(port) + ",addr=" + bind
                             : "unix=on,addr=" + esc(facts_.paths.dir + "/spice.sock");
    if (password && !password->empty()) {
      const auto secret_path = facts_.paths.dir + "/display" + id + ".secret";
      cmd_.secret_files.push_back({secret_path, *password});
      add("-object", "secret,id=display" + id + "-secret,file=" + esc(secret_path));
      spice += ",password-secret=display" + id + "-secret";
    } else {
      spice += ",disable-ticketing=on";
    }
    add("-spice", spice);
    add("-chardev", "spicevmc,id=vdagent" + id + ",name=vdagent");
    add("-device", "virtserialport,bus=vser0.0,chardev=vdagent" + id + ",name=com.redhat.spice.0");
  }

  // One video device per VM: QXL when SPICE is in use, else standard VGA; both show on every display.
  void video_and_input() {
    if (displays_.empty()) {
      if (vm_.ensure_display_device) add("-device", "VGA,id=video0");
      return;
    }
    std::string video = spice_ ? "qxl-vga,id=video0" : "VGA,id=video0";
    const auto& resolution = displays_.front()->resolution;
    if (auto x = resolution.find('x'); x != std::string::npos) {
      video += ",xres=" + resolution.substr(0, x) + ",yres=" + resolution.substr(x + 1);
    }
    add("-device", video);
    // An absolute pointer so the remote mouse tracks the local one.
    add("-device", "qemu-xhci,id=input-usb");
    add("-device", "usb-tablet,bus=input-usb.0,id=tablet0");
  }

  void device(const DeviceConfig& dev, const UsbAttributes& a) {
    const auto id = std::to_string(dev.id);
    const auto& type = a.controller_type;
    const char* controller = usb_controller_device(type);
    if (!controller || (!facts_.usb_controllers.empty() && !facts_.usb_controllers.contains(controller))) {
      throw CommandLineError("USB controller '" + type + "' is not available in this QEMU");
    }
    const auto bus_id = "usb-" + type;
    if (std::find(usb_controllers_.begin(), usb_controllers_.end(), bus_id) == usb_controllers_.end()) {
      usb_controllers_.push_back(bus_id);
      add("-device", std::string(controller) + ",id=" + bus_id);
    }
    std::string host = "usb-host,bus=" + bus_id + ".0,id=usb" + id;
    if (a.usb) {
      host += ",vendorid=" + a.usb->vendor_id + ",productid=" + a.usb->product_id;
    } else if (const auto& name = a.device) {
      // libvirt node-device names: usb_<bus>_<address>
      unsigned bus = 0, address = 0;
      char tail = 0;
      if (std::sscanf(name->c_str(), "usb_%u_%u%c", &bus, &address, &tail) != 2) {
        throw CommandLineError("USB device name '" + *name + "' is not of the form usb_<bus>_<address>");
      }
      host += ",hostbus=" + std::to_string(bus) + ",hostaddr=" + std::to_string(address);
    } else {
      throw CommandLineError("USB device " + id + " names no host device");
    }
    add("-device", host);
  }

  void device(const DeviceConfig& dev, const PciAttributes& a) {
    const auto& pptdev = a.pptdev;
    unsigned domain = 0, bus = 0, slot = 0, function = 0;
    char tail = 0;
    if (std::sscanf(pptdev.c_str(), "pci_%4x_%2x_%2x_%1x%c", &domain, &bus, &slot, &function, &tail) != 4) {
      throw CommandLineError("PCI device name '" + pptdev + "' is not of the form pci_DDDD_BB_SS_F");
    }
    if (!facts_.vfio) {
      throw CommandLineError("PCI passthrough of " + pptdev +
                             " is not possible on this host: no IOMMU groups under "
                             "/sys/kernel/iommu_groups or no /dev/vfio/vfio");
    }
    char host[32];
    std::snprintf(host, sizeof host, "%04x:%02x:%02x.%x", domain, bus, slot, function);
    add("-device", "vfio-pci,host=" + std::string(host) + ",id=pci" + std::to_string(dev.id));
    needs_mem_lock_ = true;  // device DMA needs all guest memory resident
  }

  void tpm() {
    if (!facts_.swtpm) {
      throw CommandLineError("Trusted Platform Module requested but swtpm is not installed on this host");
    }
    add("-chardev", "socket,id=tpm0-sock,path=" + esc(facts_.paths.dir + "/swtpm.sock"));
    add("-tpmdev", "emulator,id=tpm0,chardev=tpm0-sock");
    add("-device", "tpm-crb,tpmdev=tpm0");
  }

  void test_boot() {
    if (facts_.kernel) add("-kernel", *facts_.kernel);
    if (facts_.initrd) add("-initrd", *facts_.initrd);
    if (facts_.append) add("-append", *facts_.append);
  }

  void user_arguments() {
    const auto& extra = vm_.command_line_args;
    try {
      for (auto& arg : util::shlex_split(extra)) add(std::move(arg));
    } catch (const std::invalid_argument& e) {
      throw CommandLineError(std::string("command_line_args: Parse error: ") + e.what());
    }
    for (const auto& arg : facts_.extra_args) add(arg);
  }

  const VmConfig& vm_;
  std::vector<const DeviceConfig*> devices_;
  const HostFacts& facts_;
  QemuCommand cmd_;
  std::string machine_;
  bool i386_ = false;
  bool spice_ = false;
  bool needs_mem_lock_ = false;
  int bootindex_ = 1;
  int ahci_ports_ = 0;
  int ide_slots_ = 0;
  int scsi_targets_ = 0;
  std::vector<const DisplayAttributes*> displays_;
  std::vector<std::string> usb_controllers_;
};

}  // namespace

QemuCommand build_command_line(const VmConfig& vm, const std::vector<DeviceConfig>& devices, const HostFacts& facts) {
  return Builder(vm, devices, facts).build();
}

std::string vars_template_for(const std::string& code_file) {
  const std::string size = code_file.find("_4M") != std::string::npos ? "_4M" : "";
  if (code_file.find(".snakeoil.") != std::string::npos) return "OVMF_VARS" + size + ".snakeoil.fd";
  if (code_file.find(".secboot.") != std::string::npos || code_file.find(".ms.") != std::string::npos) {
    return "OVMF_VARS" + size + ".ms.fd";
  }
  return "OVMF_VARS" + size + ".fd";
}

}  // namespace mw::vm::hypervisor::qemu
