#pragma once
// Every VM's VmRuntime, created on first use, and the VmRuntimeStatus the configuration side reads.
#include <cstdint>
#include <map>
#include <memory>
#include <shared_mutex>
#include <vector>

#include "hypervisor/hypervisor.hpp"
#include "runtime_status.hpp"
#include "vm_runtime.hpp"

namespace mw::vm {

class RuntimeRegistry final : public VmRuntimeStatus {
 public:
  RuntimeRegistry(std::shared_ptr<hypervisor::Hypervisor> hypervisor, std::shared_ptr<spdlog::logger> log);

  // Where state changes go (publishes the vm.query `changed` event); set before any operation.
  void set_notify(VmRuntime::Notify notify) { notify_ = std::move(notify); }

  json::object status(int64_t vm_id) const override;
  void append_status(std::string& out, int64_t vm_id) const override;
  json::value status_value(int64_t vm_id, json::storage_ptr storage) const override;
  bool active(int64_t vm_id) const override;

  std::shared_ptr<VmRuntime> runtime(int64_t vm_id);     // created when missing
  std::shared_ptr<VmRuntime> find(int64_t vm_id) const;  // nullptr when never used
  std::vector<std::pair<int64_t, std::shared_ptr<VmRuntime>>> all() const;
  void forget(int64_t vm_id);  // after vm.delete
  // Drops every runtime (and so every Domain) while the hypervisor is still alive.
  void clear();

  hypervisor::Hypervisor& hypervisor() { return *hypervisor_; }

 private:
  std::shared_ptr<hypervisor::Hypervisor> hypervisor_;
  std::shared_ptr<spdlog::logger> log_;
  VmRuntime::Notify notify_;
  mutable std::shared_mutex mutex_;
  std::map<int64_t, std::shared_ptr<VmRuntime>> runtimes_;
};

}  // namespace mw::vm
