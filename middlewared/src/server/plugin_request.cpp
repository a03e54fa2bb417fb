#include "server/plugin_request.hpp"

#include <mw/util/text.hpp>

namespace mw::server::ext {

HttpRequest to_plugin_request(const Request& req, PeerInfo peer) {
  HttpRequest out;
  out.method = std::string(req.method_string());
  std::string_view target = req.target();
  auto q = target.find('?');
  out.path = std::string(target.substr(0, q));
  if (q != std::string_view::npos) out.query = std::string(target.substr(q + 1));
  for (const auto& field : req) out.headers[util::ascii_lower(field.name_string())] = std::string(field.value());
  out.peer = std::move(peer);
  out.body = req.body();
  return out;
}

}  // namespace mw::server::ext
