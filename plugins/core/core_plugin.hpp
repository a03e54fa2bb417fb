#pragma once
// core.*: ping, options, discovery, subscriptions and jobs (API-SPEC 1.6, 3, 4).
#include <memory>

#include <middlewared/plugin.hpp>

namespace mw::plugins::core {
std::unique_ptr<Plugin> make_core_plugin();
}
