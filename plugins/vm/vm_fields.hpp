#pragma once
// The configuration fields of a VM: their SQL
// storage class and their create defaults.
#include <string>
#include <vector>

#include <middlewared/json.hpp>

namespace mw::vm {

struct VmField {
  enum class Kind { Text, NullableText, Int, NullableInt, Bool };
  std::string name;
  Kind kind;
  json::value create_default;  // null for required fields and for "computed at create"
};

// Every stored field except `id`, in column order.
const std::vector<VmField>& vm_fields();

// Fields vm.create fills itself when they are null (uuid, bootloader_ovmf).
inline constexpr const char* kDefaultOvmf = "OVMF_CODE_4M.fd";
inline constexpr const char* kDefaultSecureOvmf = "OVMF_CODE_4M.secboot.fd";
inline constexpr const char* kDefaultAavmf = "AAVMF_CODE.fd";
inline constexpr const char* kDefaultSecureAavmf = "AAVMF_CODE.ms.fd";

// `input` with every absent field set to its create default.
json::object with_create_defaults(const json::object& input);

}  // namespace mw::vm
