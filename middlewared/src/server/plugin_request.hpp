#pragma once
// The plugin's view of a Beast request (path and query split, header names lower-cased), kept
// apart from extension_routes.cpp so that the route fuzz target (tests/fuzz/http) links it alone.
#include <string>
#include <string_view>

#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>

#include <middlewared/http.hpp>

namespace mw::server::ext {

using Request = boost::beast::http::request<boost::beast::http::string_body>;

HttpRequest to_plugin_request(const Request& req, PeerInfo peer);

}  // namespace mw::server::ext
