// The multipart reader on arbitrary bodies, fed in arbitrary pieces: it must never crash, and
// what it reports (parts, their names and bytes, done or failed) must not depend on how the body
// was split, since the network splits it anywhere.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

#include "server/multipart.hpp"

namespace {

struct Result {
  std::vector<std::pair<std::string, std::string>> parts;  // name, body (with "|end" when complete)
  bool ok = true;
  bool done = false;
  bool operator==(const Result&) const = default;
};

Result run(const std::string& body, const std::vector<std::size_t>& cuts) {
  Result r;
  mw::server::MultipartReader reader("b0undary");
  mw::server::MultipartReader::Events ev{[&](const std::string& name) {
                                           r.parts.push_back({name, ""});
                                         },
                                         [&](std::string_view bytes) { r.parts.back().second.append(bytes); },
                                         [&] { r.parts.back().second += "|end"; }};
  std::size_t at = 0;
  for (std::size_t cut : cuts) {
    if (!r.ok || at >= body.size()) break;
    const std::size_t n = std::min(cut, body.size() - at);
    r.ok = reader.feed(std::string_view(body).substr(at, n), ev);
    at += n;
  }
  if (r.ok && at < body.size()) r.ok = reader.feed(std::string_view(body).substr(at), ev);
  r.done = reader.done();
  return r;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  // The first byte seeds the piece sizes; the rest is the body.
  unsigned seed = data[0];
  const std::string body(reinterpret_cast<const char*>(data + 1), size - 1);
  std::vector<std::size_t> pieces;
  for (std::size_t total = 0; total < body.size();) {
    seed = seed * 1103515245u + 12345u;
    const std::size_t n = 1 + (seed >> 16) % 17;
    pieces.push_back(n);
    total += n;
  }
  const Result whole = run(body, {body.size()});
  const Result split = run(body, pieces);
  // A malformed body may be noticed at different points, but never accepted one way and not the other.
  if (whole.ok != split.ok) std::abort();
  if (whole.ok && !(whole == split)) std::abort();
  return 0;
}
