#pragma once
// The web dashboard's static files (ui/dist, built by `npm run build`) served under /ui/.
#include <filesystem>
#include <optional>
#include <string_view>

#include <middlewared/config.hpp>

#include "server/route_registry.hpp"

namespace mw::app {

// Where the dashboard lives: config `[ui] root` if set; else, for a binary run from a build tree,
// the source tree's ui/dist; else <prefix>/share/middlewared/ui next to the installed binary,
// falling back to /usr/share/middlewared/ui.
std::filesystem::path ui_root(const Config& cfg);

class UiRoute {
 public:
  explicit UiRoute(std::filesystem::path root);

  // Answers GET `target` (path + query) when it lies under /ui, else nullopt. "/ui/" is index.html;
  // paths that leave the root (.., encoded or through symlinks) and directories are 404.
  std::optional<server::HttpResponse> operator()(std::string_view target) const;

  const std::filesystem::path& root() const { return root_; }

 private:
  std::filesystem::path root_;
};

}  // namespace mw::app
