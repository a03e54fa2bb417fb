#include "server/multipart.hpp"

#include <algorithm>
#include <cctype>

#include <mw/util/text.hpp>

namespace mw::server {
namespace {

constexpr std::size_t kMaxHeaders = 8192;

// The value of parameter `key` in a header value like `form-data; name="file"; filename="a.iso"`.
std::optional<std::string> parameter(std::string_view value, std::string_view key) {
  const std::string low = util::ascii_lower(value);
  std::size_t at = 0;
  while ((at = low.find(key, at)) != std::string::npos) {
    const bool starts = at == 0 || low[at - 1] == ';' || low[at - 1] == ' ' || low[at - 1] == '\t';
    std::size_t eq = at + key.size();
    while (eq < low.size() && low[eq] == ' ') ++eq;
    if (!starts || eq >= low.size() || low[eq] != '=') {
      at += key.size();
      continue;
    }
    std::size_t v = eq + 1;
    while (v < value.size() && value[v] == ' ') ++v;
    if (v < value.size() && value[v] == '"') {
      auto close = value.find('"', v + 1);
      if (close == std::string_view::npos) return std::nullopt;
      return std::string(value.substr(v + 1, close - v - 1));
    }
    auto end = value.find(';', v);
    auto raw = value.substr(v, end == std::string_view::npos ? std::string_view::npos : end - v);
    while (!raw.empty() && (raw.back() == ' ' || raw.back() == '\t')) raw.remove_suffix(1);
    return std::string(raw);
  }
  return std::nullopt;
}

}  // namespace

std::optional<std::string> multipart_boundary(std::string_view content_type) {
  if (util::ascii_lower(content_type).rfind("multipart/form-data", 0) != 0) return std::nullopt;
  auto b = parameter(content_type, "boundary");
  if (!b || b->empty() || b->size() > 70) return std::nullopt;
  return b;
}

MultipartReader::MultipartReader(const std::string& boundary) : delimiter_("\r\n--" + boundary) {
  // The first delimiter may open the body without a preceding line break.
  pending_ = "\r\n";
}

bool MultipartReader::fail(std::string message) {
  state_ = State::Failed;
  error_ = std::move(message);
  return false;
}

bool MultipartReader::feed(std::string_view bytes, const Events& events) {
  if (state_ == State::Failed) return false;
  if (state_ == State::Done) return true;  // the epilogue is ignored
  pending_.append(bytes);
  std::size_t pos = 0;
  for (;;) {
    std::string_view rest(pending_.data() + pos, pending_.size() - pos);
    if (state_ == State::Preamble || state_ == State::Body) {
      auto hit = rest.find(delimiter_);
      if (hit == std::string_view::npos) {
        // Everything but a possible start of the delimiter is settled.
        const std::size_t keep = std::min(rest.size(), delimiter_.size() - 1);
        if (state_ == State::Body && rest.size() > keep) events.data(rest.substr(0, rest.size() - keep));
        pos += rest.size() - keep;
        break;
      }
      if (state_ == State::Body) {
        if (hit > 0) events.data(rest.substr(0, hit));
        events.end();
      }
      pos += hit + delimiter_.size();
      state_ = State::AfterDelimiter;
    } else if (state_ == State::AfterDelimiter) {
      if (rest.size() < 2) break;
      if (rest.substr(0, 2) == "--") {
        state_ = State::Done;
        pending_.clear();
        return true;
      }
      // Transport padding (spaces, tabs) may follow a delimiter before its line break.
      auto eol = rest.find("\r\n");
      if (eol == std::string_view::npos) {
        if (rest.size() > 256) return fail("malformed multipart delimiter line");
        break;
      }
      if (rest.substr(0, eol).find_first_not_of(" \t") != std::string_view::npos)
        return fail("malformed multipart delimiter line");
      pos += eol + 2;
      state_ = State::Headers;
    } else if (state_ == State::Headers) {
      auto end = rest.find("\r\n\r\n");
      const bool no_headers = rest.rfind("\r\n", 0) == 0;
      if (end == std::string_view::npos && !no_headers) {
        if (rest.size() > kMaxHeaders) return fail("multipart part headers are too long");
        break;
      }
      std::string name;
      std::string_view headers = no_headers ? std::string_view() : rest.substr(0, end);
      std::size_t line_start = 0;
      while (line_start < headers.size()) {
        auto line_end = headers.find("\r\n", line_start);
        auto line = headers.substr(line_start,
                                   line_end == std::string_view::npos ? std::string_view::npos : line_end - line_start);
        auto colon = line.find(':');
        if (colon != std::string_view::npos && util::ascii_lower(line.substr(0, colon)) == "content-disposition")
          name = parameter(line.substr(colon + 1), "name").value_or("");
        if (line_end == std::string_view::npos) break;
        line_start = line_end + 2;
      }
      pos += no_headers ? 2 : end + 4;
      state_ = State::Body;
      events.begin(name);
    } else {
      break;
    }
  }
  pending_.erase(0, pos);
  return true;
}

}  // namespace mw::server
