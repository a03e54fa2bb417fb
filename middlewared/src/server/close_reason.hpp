#pragma once
// WebSocket close reasons. A close frame is a control frame of at most 125 bytes, 2 of them the
// code (RFC 6455 5.5), so a reason holds at most 123 bytes, and Beast throws on a longer one. Every
// close we send goes through close_reason(), which cuts a long reason at a UTF-8 character boundary.
#include <cstddef>
#include <string_view>

#include <boost/beast/websocket/rfc6455.hpp>

namespace mw::server {

inline constexpr std::size_t kMaxCloseReason = 123;

// The longest prefix of `text` of at most `max` bytes that does not end inside a UTF-8 character.
inline std::string_view utf8_prefix(std::string_view text, std::size_t max) {
  if (text.size() <= max) return text;
  std::size_t end = max;
  // text[end] is the first byte left out: while it continues a character (10xxxxxx), that
  // character started before `end` and is left out whole.
  while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) --end;
  return text.substr(0, end);
}

inline boost::beast::websocket::close_reason close_reason(int code, std::string_view reason) {
  return boost::beast::websocket::close_reason(static_cast<boost::beast::websocket::close_code>(code),
                                               utf8_prefix(reason, kMaxCloseReason));
}

}  // namespace mw::server
