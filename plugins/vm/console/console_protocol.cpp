#include "console/console_protocol.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <stdexcept>

#include <mw/util/percent.hpp>

namespace mw::vm::console {

std::optional<int64_t> id_after(std::string_view path, std::string_view prefix) {
  if (!path.starts_with(prefix)) return std::nullopt;
  std::string_view digits = path.substr(prefix.size());
  if (digits.empty() || digits.size() > 18) return std::nullopt;
  int64_t value = 0;
  for (char c : digits) {
    if (c < '0' || c > '9') return std::nullopt;
    value = value * 10 + (c - '0');
  }
  return value;
}

std::optional<DisplayPath> parse_display_path(std::string_view path) {
  constexpr std::string_view kPrefix = "/vm/display/";
  if (!path.starts_with(kPrefix)) return std::nullopt;
  std::string_view tail = path.substr(kPrefix.size());
  auto slash = tail.find('/');
  auto id = id_after(tail.substr(0, slash), "");
  if (!id) return std::nullopt;
  DisplayPath out{*id, {}};
  if (slash != std::string_view::npos) out.rest = std::string(tail.substr(slash + 1));
  return out;
}

std::optional<std::string> percent_decode(std::string_view text, bool plus_is_space) {
  return util::percent_decode(text, plus_is_space);
}

std::string percent_encode(std::string_view text) { return util::percent_encode(text); }

std::optional<std::string> query_param(std::string_view query, std::string_view name) {
  while (!query.empty()) {
    auto amp = query.find('&');
    std::string_view pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view{} : query.substr(amp + 1);
    auto eq = pair.find('=');
    auto key = percent_decode(pair.substr(0, eq), true);
    if (!key || *key != name) continue;
    if (eq == std::string_view::npos) return std::string();
    return percent_decode(pair.substr(eq + 1), true);
  }
  return std::nullopt;
}

std::optional<std::string> cookie_value(std::string_view header, std::string_view name) {
  while (!header.empty()) {
    auto semi = header.find(';');
    std::string_view pair = header.substr(0, semi);
    header = semi == std::string_view::npos ? std::string_view{} : header.substr(semi + 1);
    while (!pair.empty() && pair.front() == ' ') pair.remove_prefix(1);
    auto eq = pair.find('=');
    if (eq != std::string_view::npos && pair.substr(0, eq) == name) return std::string(pair.substr(eq + 1));
  }
  return std::nullopt;
}

std::optional<std::filesystem::path> static_file(const std::filesystem::path& root, std::string_view relative,
                                                 std::string_view index) {
  auto decoded = percent_decode(relative);
  if (!decoded) return std::nullopt;
  if (decoded->empty()) return root / std::string(index);
  if (decoded->front() == '/' || decoded->find('\0') != std::string::npos || decoded->find('\\') != std::string::npos)
    return std::nullopt;
  std::filesystem::path out = root;
  std::string_view rest = *decoded;
  while (!rest.empty()) {
    auto slash = rest.find('/');
    std::string_view segment = rest.substr(0, slash);
    if (segment.empty() || segment == "." || segment == "..") return std::nullopt;
    out /= std::string(segment);
    rest = slash == std::string_view::npos ? std::string_view{} : rest.substr(slash + 1);
  }
  return out;
}

std::string content_type_for(const std::filesystem::path& file) {
  const std::string ext = file.extension().string();
  if (ext == ".html") return "text/html; charset=utf-8";
  if (ext == ".js" || ext == ".mjs") return "application/javascript";
  if (ext == ".css") return "text/css";
  if (ext == ".svg") return "image/svg+xml";
  if (ext == ".png") return "image/png";
  if (ext == ".ico") return "image/x-icon";
  if (ext == ".json") return "application/json";
  if (ext == ".oga" || ext == ".ogg") return "audio/ogg";
  if (ext == ".mp3") return "audio/mpeg";
  if (ext == ".woff") return "font/woff";
  if (ext == ".woff2") return "font/woff2";
  if (ext == ".txt" || ext == ".log") return "text/plain; charset=utf-8";
  return "application/octet-stream";
}

ShellRequest parse_shell_request(std::string_view message) {
  boost::system::error_code ec;
  json::value v = boost::json::parse(message, ec);
  if (ec || !v.is_object()) throw std::invalid_argument("Invalid message: expected a JSON object");
  const auto& o = v.get_object();
  const json::value* token = o.if_contains("token");
  if (!token || !token->is_string() || token->get_string().empty()) throw std::invalid_argument("Invalid token");
  ShellRequest req{std::string(token->get_string()), std::nullopt};
  const json::value* options = o.if_contains("options");
  if (options && !options->is_null()) {
    if (!options->is_object()) throw std::invalid_argument("options must be an object");
    const auto& opts = options->get_object();
    const json::value* vm_id = opts.if_contains("vm_id");
    if (vm_id && !vm_id->is_null()) {
      // Boost.JSON keeps integers above INT64_MAX as uint64: no VM has such an id.
      if (!vm_id->is_int64()) {
        if (vm_id->is_uint64()) throw std::invalid_argument("options.vm_id is out of range");
        throw std::invalid_argument("options.vm_id must be an integer");
      }
      if (opts.contains("app_name") || opts.contains("container_id"))
        throw std::invalid_argument("vm_id cannot be combined with app_name or container_id");
      req.vm_id = vm_id->get_int64();
    }
  }
  return req;
}

std::string shell_failed(int errnum, const std::string& reason) {
  json::object error{{"error", errnum}, {"reason", reason}};
  return boost::json::serialize(json::object{{"msg", "failed"}, {"error", std::move(error)}});
}

std::string shell_connected(const std::string& id) {
  return boost::json::serialize(json::object{{"msg", "connected"}, {"id", id}});
}

}  // namespace mw::vm::console
