#pragma once
// The downloads a client may fetch from /_download/<job id>?auth_token=<token>, as TrueNAS
// serves them: a single-use token per download, valid 5 minutes, bound to the caller's address
// when the caller came over TCP; each download is served once. A download is a job's pipe
// (core.download) or a file offered by a plugin.
#include <chrono>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <variant>

#include <middlewared/http.hpp>

#include "downloads/download_pipe.hpp"

namespace mw::downloads {

class Downloads {
 public:
  using Clock = DownloadPipe::Clock;
  struct Timeouts {
    std::chrono::seconds token{300};      // TrueNAS's token lifetime
    std::chrono::seconds unbuffered{60};  // the job waits this long for its reader
    std::chrono::seconds buffered{3600};  // a buffered download is kept this long
  };

  Downloads() : Downloads(Timeouts{}) {}
  explicit Downloads(Timeouts timeouts) : timeouts_(timeouts) {}

  // A pipe for a job about to be submitted (the job holds it from its start), then its registration
  // once the job has an id; register_pipe returns the URL that serves it.
  std::shared_ptr<DownloadPipe> make_pipe(bool buffered) const;
  std::string register_pipe(int job_id, std::shared_ptr<DownloadPipe> pipe, std::string filename, const PeerInfo* peer);
  std::string add_file(int job_id, std::filesystem::path file, std::string filename, const PeerInfo* peer);

  // GET /_download/<job id>?auth_token=...: 404 for a path that is not a job id, 401 for a
  // missing, used, expired, foreign or other job's token, 410 when the download was served or
  // abandoned. `job_exists` tells whether the job is still known (404 otherwise).
  HttpReply serve(const HttpRequest& req, const std::function<bool(int)>& job_exists);

 private:
  struct Entry {
    std::variant<std::shared_ptr<DownloadPipe>, std::filesystem::path> source;
    std::string filename;
    Clock::time_point expires;
  };
  struct Token {
    int job_id;
    std::optional<std::string> address;  // the TCP caller's address, or none (unix socket)
    Clock::time_point expires;
  };
  std::string issue(int job_id, const PeerInfo* peer);
  void purge_locked(Clock::time_point now);

  const Timeouts timeouts_;
  std::mutex mutex_;
  std::map<int, Entry> entries_;
  std::map<std::string, Token, std::less<>> tokens_;
};

}  // namespace mw::downloads
