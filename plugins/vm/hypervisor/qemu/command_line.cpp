#include "command_line.hpp"

#include <cstdint>
#include <optional>

#include <mw/util/python.hpp>

#include "devices/qemu_device.hpp"

namespace mw::vm::hypervisor::qemu {

namespace {

class Builder {
 public:
  Builder(const VmConfig& vm, const std::vector<DeviceConfig>& devices, const HostFacts& facts)
      : vm_(vm), devices_(boot_sorted(devices)), facts_(facts), args_(vm, facts, cmd_) {}

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
    // Each device's dtype adds its arguments (devices/), in boot order; then what a dtype's
    // devices need together.
    for (const DeviceConfig* dev : devices_) qemu_device(*dev).add_arguments(*dev, args_);
    for (const QemuDevice* dtype : qemu_devices()) dtype->after_devices(devices_, args_);
    if (vm_.trusted_platform_module) tpm();
    if (vm_.min_memory) {
      add("-device", "virtio-balloon-pci,id=balloon0,deflate-on-oom=on,free-page-reporting=on");
      if (*vm_.min_memory < vm_.memory) cmd_.balloon_target = static_cast<std::uint64_t>(*vm_.min_memory) << 20;
    }
    if (args_.memory_locked()) add("-overcommit", "mem-lock=on");
    test_boot();
    user_arguments();
    return std::move(cmd_);
  }

 private:
  void add(std::string a) { args_.add(std::move(a)); }
  void add(std::string a, std::string b) { args_.add(std::move(a), std::move(b)); }

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
    std::string machine = vm_.machine_type.value_or("");
    if (machine.empty()) machine = smm ? "q35" : "pc";
    args_.set_machine(machine);
    if (smm && !args_.q35()) {
      throw CommandLineError("Secure boot firmware " + code + " needs a q35 machine type, not " + machine);
    }
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
  QemuDeviceArgs args_;  // after cmd_, which it adds to
  bool i386_ = false;
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
