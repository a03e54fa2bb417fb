#pragma once
// Splits a raw HTTP/1.1 response (from support/http_get) into status, headers and body.
#include <map>
#include <stdexcept>
#include <string>

namespace mw::test {

struct HttpReplyText {
  int status = 0;
  std::map<std::string, std::string> headers;  // names lower-cased
  std::string body;
};

inline HttpReplyText split_http_reply(const std::string& raw) {
  HttpReplyText r;
  auto head_end = raw.find("\r\n\r\n");
  if (raw.rfind("HTTP/1.1 ", 0) != 0 || head_end == std::string::npos) throw std::runtime_error("not HTTP: " + raw);
  r.status = std::stoi(raw.substr(9, 3));
  std::size_t pos = raw.find("\r\n") + 2;
  while (pos < head_end) {
    auto end = raw.find("\r\n", pos);
    std::string line = raw.substr(pos, end - pos);
    auto colon = line.find(':');
    std::string name = line.substr(0, colon);
    for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    std::string value = colon == std::string::npos ? "" : line.substr(colon + 1);
    while (!value.empty() && value[0] == ' ') value.erase(0, 1);
    r.headers[name] = value;
    pos = end + 2;
  }
  r.body = raw.substr(head_end + 4);
  return r;
}

}  // namespace mw::test
