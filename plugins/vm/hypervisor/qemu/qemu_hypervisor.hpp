#pragma once
// Hypervisor backed by QEMU processes. Owns one I/O thread for all QMP connections and exit
// watches; it must outlive the domains it returns.
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "../hypervisor.hpp"
#include "host_facts.hpp"
#include "qemu_domain.hpp"

namespace mw::vm::hypervisor::qemu {

struct QemuHypervisorOptions {
  std::string state_root;  // one directory per VM: <state_root>/<uuid> (sockets, pidfile, logs)
  std::string nvram_dir;   // UEFI VARS copies; default <state_root>/nvram
  std::string log_dir;     // serial console logs <log_dir>/<id>_<name>.log; empty: in the VM's directory
  std::uint64_t serial_log_max_size = 10u << 20;     // past it a log rotates to <log>.1 (serial_log.hpp)
  std::chrono::milliseconds serial_log_check{1000};  // how often the running VMs' logs are measured
  HostFacts facts;                                   // the host part; the per-VM fields are filled at start
  DomainTimeouts timeouts;
  // Test hook: adjust the facts of one VM (direct kernel boot, extra arguments).
  std::function<void(HostFacts&, const VmConfig& vm)> customize;
};

class QemuHypervisor : public Hypervisor {
 public:
  explicit QemuHypervisor(QemuHypervisorOptions options);
  ~QemuHypervisor() override;

  std::shared_ptr<Domain> start(const VmConfig& vm, const std::vector<DeviceConfig>& devices) override;
  std::shared_ptr<Domain> attach(const VmConfig& vm) override;
  std::shared_ptr<Domain> reattach(const VmConfig& vm, std::string& lost_reason) override;
  std::vector<const VmConfig*> attach_candidates(std::vector<const VmConfig*> vms) const override;
  std::string accelerator() const override;
  std::string accelerator_reason() const override;
  std::string version() const override;  // asks the binary once, then remembers
  std::vector<std::string> named_state_files(std::int64_t id, const std::string& name) const override;

  // The per-VM files (for the console, logs, tests).
  StatePaths paths_for(const VmConfig& vm) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace mw::vm::hypervisor::qemu
