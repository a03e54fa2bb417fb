// vm.log_file_path, vm.log_file_download and vm.get_display_web_uri as data: name, roles, handler.
#include "console/console_service.hpp"
#include "method_tables.hpp"

namespace mw::vm::console {

void register_console_methods(PluginContext& ctx, ConsoleService& console) {
  ctx.add_method(
      {.name = "vm.log_file_path",
       .description = "Path of the VM's serial console log, or null when there is none yet.",
       .roles = {"VM_READ"},
       .handler = [&console](CallContext&, json::array& p) { return console.log_file_path(int_param(p, 0)); }});
  ctx.add_method({.name = "vm.log_file_download",
                  .description = "The VM's serial console log. Through core.download the log is the download "
                                 "and the result null; as a plain job the result's url "
                                 "(/_download/<job id>?auth_token=...) serves it once.",
                  .roles = {"VM_READ"},
                  .job = true,
                  .downloadable = true,
                  .handler = [&console](CallContext& c, json::array& p) {
                    return console.log_file_download(int_param(p, 0), *c.job, c);
                  }});
  // TrueNAS's name for resizing a /websocket/shell session; here every such session is a VM's
  // serial console, so the method lives with them.
  ctx.add_method({.name = "core.resize_shell",
                  .description = "Resizes a /websocket/shell session (the id of its \"connected\" message) to "
                                 "cols x rows. Serial consoles have no window size: an open session answers null.",
                  .handler = [&console](CallContext&, json::array& p) {
                    return console.resize_shell(std::string(p.at(0).as_string()), p.at(1).as_int64(),
                                                p.at(2).as_int64());
                  }});
  ctx.add_method({.name = "vm.get_display_web_uri",
                  .description = "URL of the web viewer (spice-html5 or noVNC) of the VM's first web-enabled display.",
                  .roles = {"VM_READ"},
                  .handler = [&console](CallContext& c, json::array& p) {
                    std::string host = p.size() > 1 && p[1].is_string() ? std::string(p[1].get_string()) : "";
                    return console.display_web_uri(int_param(p, 0), host, object_param(p, 2), c);
                  }});
}

}  // namespace mw::vm::console
