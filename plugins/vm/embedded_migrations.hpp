#pragma once
// The VM plugin's SQL migrations (migrations/*.sql beside this file), compiled into the binary by
// mw_embed_files (cmake/Embed.cmake): the plugin applies them, tests build databases with them.
#include <vector>

#include <middlewared/embedded.hpp>

namespace mw::vm::migrations {
const std::vector<mw::EmbeddedFile>& embedded_files();
}
