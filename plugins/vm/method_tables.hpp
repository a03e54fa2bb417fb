#pragma once
// The method tables (declarations as data: name, roles, handler) of vm.* and vm.device.*.
#include <middlewared/plugin.hpp>

namespace mw::vm {

class Choices;
class DeviceConverter;
class DeviceService;
class LifecycleService;
class VmService;

void register_vm_methods(PluginContext& ctx, VmService& vms, Choices& choices, LifecycleService* life = nullptr);
void register_device_methods(PluginContext& ctx, DeviceService& devices, Choices& choices);
void register_lifecycle_methods(PluginContext& ctx, LifecycleService& life);
void register_device_convert(PluginContext& ctx, DeviceConverter& converter);

// Whether a handler may wait (SQLite writes, QMP, the host's files or programs) or answers from
// memory only; the latter run on the I/O thread that read the call (MethodSpec::may_block).
enum class Blocks { May, Never };

// Registers a plain (non-job) method: the shape every vm.* and vm.device.* table entry shares.
void add_plain_method(PluginContext& ctx, std::string name, std::string description, std::vector<std::string> roles,
                      Handler handler, bool filterable = false, Blocks blocks = Blocks::May);

// Whether `call` may see secrets: internal calls and holders of `write_role` (FULL_ADMIN
// included), whatever their login mechanism.
bool sees_secrets(const CallContext& call, const char* write_role);

// Positional helpers over validated params.
int64_t int_param(const json::array& params, std::size_t index);
json::object object_param(const json::array& params, std::size_t index);
// The same, moved out of `params` (the handler's own copy), for a handler that keeps the object.
json::object take_object_param(json::array& params, std::size_t index);
json::array array_param(const json::array& params, std::size_t index);

}  // namespace mw::vm
