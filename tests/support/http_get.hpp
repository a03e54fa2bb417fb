#pragma once
// One plain HTTP/1.1 GET over a unix socket or loopback TCP, returning the raw response text.
#include <cstdint>
#include <filesystem>
#include <string>

namespace mw::test {
std::string run_http_get(const std::filesystem::path& unix_socket, const std::string& target);
std::string run_http_get(uint16_t tcp_port, const std::string& target);
}  // namespace mw::test
