#pragma once
// What core.get_methods answers, in TrueNAS's shape: per method its description, cli_description,
// examples, flags (job, downloadable, filterable, no_auth_required, no_authz_required, ...), roles,
// `accepts` (one self-contained schema per argument) and `returns` (the result's, in a list).
// Built once: methods and schemas never change after start.
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <middlewared/plugin.hpp>

namespace mw::plugins::core {

class MethodCatalog {
 public:
  explicit MethodCatalog(const PluginContext& ctx) : ctx_(ctx) {}

  // The public methods `caller` may call (those needing no login for anyone), of one service
  // ("vm" lists vm.* but not vm.device.*) or of all.
  json::object list(const Credentials* caller, const std::optional<std::string>& service) const;

  // One method's description (exposed for tests).
  static json::object describe(const MethodInfo& m);

 private:
  const PluginContext& ctx_;
  mutable std::once_flag built_;
  mutable std::vector<std::pair<const MethodSpec*, json::object>> methods_;
};

}  // namespace mw::plugins::core
