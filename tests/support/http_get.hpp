#pragma once
// Plain HTTP/1.1 over a unix socket or loopback TCP: a GET returning the raw response text, or any
// request returning the head of its answer.
#include <cstdint>
#include <filesystem>
#include <string>

namespace mw::test {
std::string run_http_get(const std::filesystem::path& unix_socket, const std::string& target);
std::string run_http_get(uint16_t tcp_port, const std::string& target);
// A TCP connection to 127.0.0.1:`tcp_port` (a descriptor the caller closes); throws when refused.
int connect_loopback(uint16_t tcp_port);

// Sends `request` (raw HTTP, such as a WebSocket upgrade) over loopback TCP and returns the head
// of the answer: status line and headers, up to the blank line (or all that came before EOF, or
// before 10 s passed).
std::string run_http_head(uint16_t tcp_port, const std::string& request);
// A WebSocket upgrade request for `path` with `Host: host` and the extra header lines given
// (each ending in \r\n, e.g. "Origin: https://example.org\r\n").
std::string websocket_upgrade_request(const std::string& path, const std::string& host,
                                      const std::string& extra_headers = "");
// The status code of an HTTP answer's head ("HTTP/1.1 403 Forbidden" -> 403), 0 when there is none.
int http_status(const std::string& head);
}  // namespace mw::test
