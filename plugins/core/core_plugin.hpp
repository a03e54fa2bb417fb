#pragma once
// core.*: ping, options, discovery, subscriptions and jobs.
#include <memory>

#include <middlewared/plugin.hpp>

namespace mw::plugins::core {
std::unique_ptr<Plugin> make_core_plugin();
}
