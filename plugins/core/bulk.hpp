#pragma once
// core.bulk: one method called with many argument lists, in order, as one job. Each call's
// outcome is reported ({job_id, result, error}); the job itself succeeds whatever they did, as
// TrueNAS's does.
#include <middlewared/plugin.hpp>

namespace mw::plugins::core {

// params: [method, [[args...], ...], description or null]. Throws CallError when the caller may
// not call `method` (EPERM) or it does not exist (ENOMETHOD).
json::value run_bulk(PluginContext& ctx, CallContext& call, const json::array& params);

// TrueNAS's progress text of item `index`: description with "{0}", "{1}", "{0[key]}" replaced by
// the item's arguments.
std::string format_description(const std::string& description, const json::array& args);

}  // namespace mw::plugins::core
