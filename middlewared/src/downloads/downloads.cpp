#include "downloads/downloads.hpp"

#include <charconv>

#include <mw/util/random.hpp>

namespace mw::downloads {
namespace {

HttpReply status_only(int status, std::string text) {
  HttpReply r;
  r.status = status;
  r.body = std::move(text);
  return r;
}

std::optional<std::string> query_value(std::string_view query, std::string_view key) {
  while (!query.empty()) {
    auto amp = query.find('&');
    std::string_view pair = query.substr(0, amp);
    if (pair.size() > key.size() && pair.substr(0, key.size()) == key && pair[key.size()] == '=')
      return std::string(pair.substr(key.size() + 1));  // tokens are url-safe: nothing to decode
    if (amp == std::string_view::npos) break;
    query.remove_prefix(amp + 1);
  }
  return std::nullopt;
}

// A file name safe inside Content-Disposition's quotes.
std::string quoted_filename(const std::string& name) {
  std::string out;
  for (char c : name)
    if (c != '"' && c != '\\' && static_cast<unsigned char>(c) >= 0x20 && c != 0x7f) out += c;
  return out.empty() ? "download" : out;
}

}  // namespace

std::shared_ptr<DownloadPipe> Downloads::make_pipe(bool buffered) const {
  return std::make_shared<DownloadPipe>(buffered,
                                        Clock::now() + (buffered ? timeouts_.buffered : timeouts_.unbuffered));
}

std::string Downloads::register_pipe(int job_id, std::shared_ptr<DownloadPipe> pipe, std::string filename,
                                     const PeerInfo* peer) {
  std::lock_guard lock(mutex_);
  purge_locked(Clock::now());
  // The entry outlives the pipe's reader deadline by the token's life at most; purged after.
  entries_[job_id] = Entry{std::move(pipe), std::move(filename), Clock::now() + timeouts_.buffered};
  return issue(job_id, peer);
}

std::string Downloads::add_file(int job_id, std::filesystem::path file, std::string filename, const PeerInfo* peer) {
  std::lock_guard lock(mutex_);
  purge_locked(Clock::now());
  entries_[job_id] = Entry{std::move(file), std::move(filename), Clock::now() + timeouts_.token};
  return issue(job_id, peer);
}

std::string Downloads::issue(int job_id, const PeerInfo* peer) {
  std::string token = util::random_url_token(48);
  std::optional<std::string> address;
  if (peer && peer->transport == PeerInfo::Transport::Tcp) address = peer->remote_address;
  tokens_[token] = Token{job_id, std::move(address), Clock::now() + timeouts_.token};
  return "/_download/" + std::to_string(job_id) + "?auth_token=" + token;
}

void Downloads::purge_locked(Clock::time_point now) {
  std::erase_if(tokens_, [&](const auto& kv) { return kv.second.expires <= now; });
  std::erase_if(entries_, [&](const auto& kv) { return kv.second.expires <= now; });
}

HttpReply Downloads::serve(const HttpRequest& req, const std::function<bool(int)>& job_exists) {
  constexpr std::string_view prefix = "/_download/";
  std::string_view id_text = std::string_view(req.path).substr(std::min(req.path.size(), prefix.size()));
  int job_id = 0;
  auto [end, ec] = std::from_chars(id_text.data(), id_text.data() + id_text.size(), job_id);
  if (req.path.rfind(prefix, 0) != 0 || id_text.empty() || ec != std::errc() || end != id_text.data() + id_text.size())
    return status_only(404, "Not found\n");

  std::variant<std::shared_ptr<DownloadPipe>, std::filesystem::path> source;
  std::string filename;
  {
    std::lock_guard lock(mutex_);
    const auto now = Clock::now();
    purge_locked(now);
    auto token = query_value(req.query, "auth_token");
    auto t = token ? tokens_.find(*token) : tokens_.end();
    if (t == tokens_.end() || t->second.job_id != job_id) return status_only(401, "Unauthorized\n");
    if (t->second.address &&
        (req.peer.transport != PeerInfo::Transport::Tcp || req.peer.remote_address != *t->second.address))
      return status_only(401, "Unauthorized\n");
    tokens_.erase(t);  // single use
    if (!job_exists(job_id)) return status_only(404, "Not found\n");
    auto e = entries_.find(job_id);
    if (e == entries_.end()) return status_only(410, "Gone\n");
    source = std::move(e->second.source);
    filename = std::move(e->second.filename);
    entries_.erase(e);  // served once
  }
  HttpReply reply;
  reply.content_type = "application/octet-stream";
  reply.headers.emplace_back("Content-Disposition", "attachment; filename=\"" + quoted_filename(filename) + "\"");
  if (auto* pipe = std::get_if<std::shared_ptr<DownloadPipe>>(&source)) {
    if (!(*pipe)->attach()) return status_only(410, "Gone\n");
    reply.stream = *pipe;
    return reply;
  }
  std::error_code ec2;
  const auto& file = std::get<std::filesystem::path>(source);
  if (std::filesystem::is_regular_file(file, ec2)) reply.file = file;  // otherwise an empty body
  return reply;
}

}  // namespace mw::downloads
