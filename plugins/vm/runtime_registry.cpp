#include "runtime_registry.hpp"

#include <mutex>

namespace mw::vm {

RuntimeRegistry::RuntimeRegistry(std::shared_ptr<hypervisor::Hypervisor> hypervisor,
                                 std::shared_ptr<spdlog::logger> log)
    : hypervisor_(std::move(hypervisor)), log_(std::move(log)) {}

json::object RuntimeRegistry::status(int64_t vm_id) const {
  if (auto r = find(vm_id)) return r->snapshot().to_json();
  return RuntimeSnapshot{}.to_json();
}

void RuntimeRegistry::append_status(std::string& out, int64_t vm_id) const {
  if (auto r = find(vm_id)) return r->snapshot().append_json(out);
  RuntimeSnapshot{}.append_json(out);
}

json::value RuntimeRegistry::status_value(int64_t vm_id, json::storage_ptr storage) const {
  if (auto r = find(vm_id)) return r->snapshot().to_json(std::move(storage));
  return RuntimeSnapshot{}.to_json(std::move(storage));
}

bool RuntimeRegistry::active(int64_t vm_id) const {
  auto r = find(vm_id);
  return r && r->active();
}

std::shared_ptr<VmRuntime> RuntimeRegistry::runtime(int64_t vm_id) {
  if (auto r = find(vm_id)) return r;
  std::unique_lock lock(mutex_);
  auto& slot = runtimes_[vm_id];
  if (!slot) {
    // Through the registry, so a notify set later (or changed) is the one used.
    slot = std::make_shared<VmRuntime>(
        vm_id, *hypervisor_,
        [this](int64_t id) {
          if (notify_) notify_(id);
        },
        log_);
  }
  return slot;
}

std::shared_ptr<VmRuntime> RuntimeRegistry::find(int64_t vm_id) const {
  std::shared_lock lock(mutex_);
  auto it = runtimes_.find(vm_id);
  return it == runtimes_.end() ? nullptr : it->second;
}

std::vector<std::pair<int64_t, std::shared_ptr<VmRuntime>>> RuntimeRegistry::all() const {
  std::shared_lock lock(mutex_);
  return {runtimes_.begin(), runtimes_.end()};
}

void RuntimeRegistry::forget(int64_t vm_id) {
  std::unique_lock lock(mutex_);
  runtimes_.erase(vm_id);
}

void RuntimeRegistry::clear() {
  std::map<int64_t, std::shared_ptr<VmRuntime>> dropped;
  {
    std::unique_lock lock(mutex_);
    dropped.swap(runtimes_);
  }
}

}  // namespace mw::vm
