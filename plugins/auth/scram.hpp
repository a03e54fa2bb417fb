#pragma once
// SCRAM lives in mw_util, where midclt links the same code; the plugin knows it as auth::scram.
#include <mw/util/scram.hpp>

#include "auth/crypto.hpp"

namespace mw::plugins::auth {
namespace scram = util::scram;
}  // namespace mw::plugins::auth
