#include "register_all.hpp"

#include "core/core_plugin.hpp"
#ifdef MW_WITH_AUTH_PLUGIN
#include "auth/auth_plugin.hpp"
#endif
#ifdef MW_WITH_VM_PLUGIN
#include "vm/vm_plugin.hpp"
#endif
#ifdef MW_WITH_FILESYSTEM_PLUGIN
#include "filesystem/filesystem_plugin.hpp"
#endif
#ifdef MW_WITH_TEST_PLUGIN
#include "test/test_plugin.hpp"
#endif

namespace mw::plugins {

std::vector<std::unique_ptr<Plugin>> all_plugins() {
  std::vector<std::unique_ptr<Plugin>> out;
  out.push_back(core::make_core_plugin());
#ifdef MW_WITH_AUTH_PLUGIN
  out.push_back(auth::make_auth_plugin());
#endif
#ifdef MW_WITH_VM_PLUGIN
  out.push_back(vm::make_vm_plugin());
#endif
#ifdef MW_WITH_FILESYSTEM_PLUGIN
  out.push_back(filesystem::make_filesystem_plugin());
#endif
#ifdef MW_WITH_TEST_PLUGIN
  out.push_back(test::make_test_plugin());
#endif
  return out;
}

std::vector<SettingFlag> setting_flags() {
  std::vector<SettingFlag> out;
#ifdef MW_WITH_VM_PLUGIN
  for (auto& f : vm::vm_setting_flags()) out.push_back(std::move(f));
#endif
  return out;
}

}  // namespace mw::plugins
