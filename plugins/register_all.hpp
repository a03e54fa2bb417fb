#pragma once
// The one explicit list of plugins (no static self-registration). Test-only plugins are in the
// list only when the build enables them (MW_TEST_PLUGIN).
#include <memory>
#include <vector>

#include <middlewared/config.hpp>
#include <middlewared/plugin.hpp>

namespace mw::plugins {
std::vector<std::unique_ptr<Plugin>> all_plugins();
// The command-line flags plugins declare for their settings.
std::vector<SettingFlag> setting_flags();
}  // namespace mw::plugins
