#include "app/ui_route.hpp"

#include <unistd.h>

#include <array>
#include <fstream>
#include <sstream>
#include <string>
#include <system_error>

#include <mw/util/percent.hpp>

namespace mw::app {
namespace {

namespace fs = std::filesystem;

// Only what the bundler emits; anything else is served as bytes so a browser never guesses.
std::string_view content_type_of(const fs::path& file) {
  static constexpr std::array<std::pair<std::string_view, std::string_view>, 14> types{{
      {".html", "text/html; charset=utf-8"},
      {".js", "text/javascript; charset=utf-8"},
      {".mjs", "text/javascript; charset=utf-8"},
      {".css", "text/css; charset=utf-8"},
      {".json", "application/json"},
      {".map", "application/json"},
      {".svg", "image/svg+xml"},
      {".png", "image/png"},
      {".ico", "image/x-icon"},
      {".woff2", "font/woff2"},
      {".woff", "font/woff"},
      {".ttf", "font/ttf"},
      {".txt", "text/plain; charset=utf-8"},
      {".webmanifest", "application/manifest+json"},
  }};
  auto ext = file.extension().string();
  for (auto& [e, type] : types)
    if (e == ext) return type;
  return "application/octet-stream";
}

// Percent-decoded; nullopt for a malformed escape or a NUL byte (both only ever come from probing).
std::optional<std::string> decoded_path(std::string_view in) {
  auto out = util::percent_decode(in);
  if (!out || out->find('\0') != std::string::npos) return std::nullopt;
  return out;
}

// Checked segment by segment after decoding, so "%2e%2e" and "..%2f" cannot climb out.
bool is_safe_relative(std::string_view rel) {
  if (rel.empty()) return true;
  if (rel.front() == '/' || rel.find('\\') != std::string_view::npos) return false;
  std::size_t start = 0;
  while (start <= rel.size()) {
    auto end = rel.find('/', start);
    if (end == std::string_view::npos) end = rel.size();
    auto seg = rel.substr(start, end - start);
    if (seg == "." || seg == ".." || (seg.empty() && end != rel.size())) return false;
    start = end + 1;
  }
  return true;
}

server::HttpResponse not_found() { return {404, "text/plain; charset=utf-8", "Not found\n", {}}; }

bool is_within(const fs::path& root, const fs::path& p) {
  auto r = root.begin(), q = p.begin();
  for (; r != root.end(); ++r, ++q)
    if (q == p.end() || *r != *q) return false;
  return true;
}

bool looks_like_build_tree(const fs::path& dir) {
  std::error_code ec;
  return fs::exists(dir / "CMakeCache.txt", ec);
}

}  // namespace

fs::path ui_root(const Config& cfg) {
  if (auto configured = cfg.get("ui", "root"); configured && !configured->empty()) return fs::absolute(*configured);
  std::error_code ec;
  fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  if (!ec) {
    // A development binary (build*/bin/middlewared): the sources sit beside the build tree, and
    // CMakeCache.txt names them; reading CMAKE_HOME_DIRECTORY avoids guessing the layout.
    for (fs::path dir = exe.parent_path(); dir.has_relative_path(); dir = dir.parent_path()) {
      if (!looks_like_build_tree(dir)) continue;
      std::ifstream cache(dir / "CMakeCache.txt");
      for (std::string line; std::getline(cache, line);) {
        constexpr std::string_view key = "CMAKE_HOME_DIRECTORY:INTERNAL=";
        if (line.rfind(key, 0) == 0) return fs::path(line.substr(key.size())) / "ui" / "dist";
      }
      break;
    }
    auto installed = exe.parent_path().parent_path() / "share" / "middlewared" / "ui";
    if (fs::is_directory(installed, ec)) return installed;
  }
  return "/usr/share/middlewared/ui";
}

UiRoute::UiRoute(fs::path root) : root_(fs::weakly_canonical(fs::absolute(root))) {}

std::optional<server::HttpResponse> UiRoute::operator()(std::string_view target) const {
  std::string_view path = target.substr(0, target.find('?'));
  if (path == "/ui") return server::HttpResponse{301, "text/plain; charset=utf-8", "Moved\n", {{"Location", "/ui/"}}};
  if (path.rfind("/ui/", 0) != 0) return std::nullopt;

  auto rel = decoded_path(path.substr(4));
  if (!rel || !is_safe_relative(*rel)) return not_found();
  if (rel->empty()) rel = "index.html";

  std::error_code ec;
  fs::path file = fs::weakly_canonical(root_ / *rel, ec);
  // Symlinks inside the root may not point out of it either.
  if (ec || !is_within(root_, file) || !fs::is_regular_file(file, ec)) return not_found();

  std::ifstream in(file, std::ios::binary);
  if (!in) return not_found();
  std::ostringstream body;
  body << in.rdbuf();

  server::HttpResponse res{200, std::string(content_type_of(file)), std::move(body).str(), {}};
  // Bundled assets carry a content hash in their names, so they never change; everything else
  // (index.html names those hashes) must be revalidated so an upgrade shows at once.
  bool hashed_asset = rel->rfind("assets/", 0) == 0;
  res.headers = {
      {"Cache-Control", hashed_asset ? "public, max-age=31536000, immutable" : "no-cache"},
      {"X-Content-Type-Options", "nosniff"},
      {"Referrer-Policy", "no-referrer"},
      {"Content-Security-Policy",
       "default-src 'self'; connect-src 'self'; img-src 'self' data: blob:; style-src 'self' 'unsafe-inline'; "
       "object-src 'none'; base-uri 'none'; frame-ancestors 'none'"},
  };
  return res;
}

}  // namespace mw::app
