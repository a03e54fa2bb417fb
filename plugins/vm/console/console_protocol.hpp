#pragma once
// Pure parsing for the console routes (no I/O, unit-tested): route paths, query strings, the
// static files of the noVNC viewer, and the first message of a /_shell connection.
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include <middlewared/json.hpp>

namespace mw::vm::console {

// "/_download/12" with prefix "/_download/" -> 12. Only plain decimal ids are accepted.
std::optional<int64_t> id_after(std::string_view path, std::string_view prefix);

// "/vm/display/7/app/ui.js" -> {7, "app/ui.js"}; "/vm/display/7/" and "/vm/display/7" -> {7, ""}.
struct DisplayPath {
  int64_t device_id = 0;
  std::string rest;  // still percent-encoded
};
std::optional<DisplayPath> parse_display_path(std::string_view path);

// %XX and '+' decoding; nullopt for a malformed escape.
std::optional<std::string> percent_decode(std::string_view text, bool plus_is_space = false);
std::string percent_encode(std::string_view text);
// The first value of `name` in an application/x-www-form-urlencoded query string.
std::optional<std::string> query_param(std::string_view query, std::string_view name);

// The value of cookie `name` in a Cookie header ("a=1; token=xyz").
std::optional<std::string> cookie_value(std::string_view header, std::string_view name);

// The file under `root` that `relative` (percent-encoded, "" = the viewer page `index`) names, or
// nullopt when it would leave `root` ("..", absolute paths, NUL) or is malformed. Existence is not
// checked.
std::optional<std::filesystem::path> static_file(const std::filesystem::path& root, std::string_view relative,
                                                 std::string_view index = "vnc.html");
std::string content_type_for(const std::filesystem::path& file);

// {"token": "...", "options": {"vm_id": N}}
struct ShellRequest {
  std::string token;
  std::optional<int64_t> vm_id;
};
// Throws std::invalid_argument with a client-facing reason when the message is not a valid request.
ShellRequest parse_shell_request(std::string_view message);

// {"msg":"failed","error":{"error":errnum,"reason":reason}} and {"msg":"connected","id":id}.
std::string shell_failed(int errnum, const std::string& reason);
std::string shell_connected(const std::string& id);

}  // namespace mw::vm::console
