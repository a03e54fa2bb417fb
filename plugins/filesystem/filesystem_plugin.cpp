#include "filesystem/filesystem_plugin.hpp"

#include <cerrno>
#include <filesystem>
#include <stdexcept>

#include <middlewared/errors.hpp>
#include <middlewared/query.hpp>
#include <middlewared/storage_roots.hpp>

#include "filesystem/dir_entry.hpp"
#include "filesystem/put_file.hpp"

namespace mw::plugins::filesystem {
namespace {

namespace fs = std::filesystem;

constexpr const char* kAttrsRead = "FILESYSTEM_ATTRS_READ";
constexpr const char* kDataWrite = "FILESYSTEM_DATA_WRITE";
constexpr std::uint64_t kDefaultMaxUpload = 64ull << 30;

class FilesystemPlugin : public Plugin {
 public:
  std::string name() const override { return "filesystem"; }

  void setup(PluginContext& ctx) override {
    ctx.add_role({kAttrsRead, {}, true});
    ctx.add_role({kDataWrite, {kAttrsRead}, false});
    // The same setting and default as the vm plugin's: a file uploaded here is one a VM may use.
    std::vector<fs::path> roots;
    for (const auto& r :
         ctx.config().get_list("vm", "storage_roots", {"/mnt", (ctx.config().state_dir() / "images").string()}))
      roots.emplace_back(r);
    roots_ = std::make_unique<StorageRoots>(std::move(roots));
    const auto limit =
        ctx.config().get_int("filesystem", "max_upload_bytes", static_cast<long long>(kDefaultMaxUpload));
    if (limit < 0)
      throw std::runtime_error("[filesystem] max_upload_bytes: expected a number of bytes (0: no limit), got " +
                               std::to_string(limit));
    max_upload_ = static_cast<std::uint64_t>(limit);

    ctx.add_method({.name = "filesystem.listdir",
                    .description = "The entries of a directory inside a storage root.",
                    .roles = {kAttrsRead},
                    .filterable = true,
                    .handler = [this](CallContext&, json::array& p) { return listdir(p); }});
    ctx.add_method({.name = "filesystem.stat",
                    .description = "What a path inside a storage root is.",
                    .roles = {kAttrsRead},
                    .handler = [this](CallContext&, json::array& p) { return stat(p); }});
    ctx.add_method({.name = "filesystem.storage_roots",
                    .description = "The directories filesystem.* may reach (our extension).",
                    .roles = {kAttrsRead},
                    .handler = [this](CallContext&, json::array&) {
                      json::array out;
                      for (const auto& r : roots_->roots()) out.emplace_back(r.string());
                      return json::value(std::move(out));
                    }});
    ctx.add_method(
        {.name = "filesystem.put",
         .description = "Writes the file sent through POST /_upload to a path inside a storage root.",
         .roles = {kFullAdmin},
         .job = true,
         .job_lock = [](const json::array& p) { return "filesystem.put:" + std::string(p.at(0).as_string()); },
         .uploadable = true,
         .handler = [this](CallContext& c, json::array& p) { return put(c, p); }});
  }

 private:
  // An absolute path inside a storage root; otherwise the validation error names `attribute`.
  fs::path inside_roots(const json::value& value, const std::string& attribute) const {
    fs::path path(std::string(value.as_string()));
    if (!path.is_absolute()) throw ValidationErrors::single(attribute, "Path must be absolute");
    if (!roots_->contains(path)) throw ValidationErrors::single(attribute, roots_->outside_message());
    return path.lexically_normal();
  }

  json::value listdir(json::array& p) const {
    const auto dir = inside_roots(p.at(0), "path");
    std::error_code ec;
    if (!fs::exists(dir, ec)) throw CallError("Directory " + dir.string() + " does not exist", ENOENT);
    if (!fs::is_directory(dir, ec)) throw CallError("Path " + dir.string() + " is not a directory", ENOTDIR);
    json::array rows;
    for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec))
      if (auto entry = dir_entry(it->path())) rows.emplace_back(std::move(*entry));
    if (ec) throw CallError("Cannot list " + dir.string() + ": " + ec.message(), ec.value());
    return query::filter_list(rows, p.size() > 1 ? p.at(1).as_array() : json::array{},
                              p.size() > 2 ? p.at(2).as_object() : json::object{});
  }

  json::value stat(json::array& p) const {
    const auto path = inside_roots(p.at(0), "path");
    auto entry = stat_entry(path);
    if (!entry) throw CallError("Path " + path.string() + " not found", ENOENT);
    return std::move(*entry);
  }

  json::value put(CallContext& c, json::array& p) const {
    if (!c.upload) throw CallError("filesystem.put takes its file through POST /_upload", EINVAL);
    const auto target = inside_roots(p.at(0), "path");
    std::error_code ec;
    if (!fs::is_directory(target.parent_path(), ec))
      throw CallError("Directory " + target.parent_path().string() + " does not exist", ENOENT);
    if (fs::is_directory(target, ec)) throw CallError(target.string() + " is a directory", EISDIR);
    PutOptions options;
    options.max_bytes = max_upload_;
    if (p.size() > 1 && p.at(1).is_object()) {
      const auto& o = p.at(1).as_object();
      if (const auto* a = o.if_contains("append"); a && a->is_bool()) options.append = a->as_bool();
      if (const auto* m = o.if_contains("mode"); m && m->is_int64())
        options.mode = static_cast<unsigned>(m->as_int64() & 07777);
    }
    put_file(*c.upload, target, options, c.job);
    return true;
  }

  std::unique_ptr<StorageRoots> roots_;
  std::uint64_t max_upload_ = kDefaultMaxUpload;
};

}  // namespace

std::unique_ptr<Plugin> make_filesystem_plugin() { return std::make_unique<FilesystemPlugin>(); }

}  // namespace mw::plugins::filesystem
