#pragma once
// The hand-over between the network side of POST /_upload, which receives the file in chunks,
// and the job that reads it (UploadSource). The queue is bounded: when it holds more than its
// limit the network side stops reading from the socket until the job has drained half of it, so
// a fast client never makes the daemon hold a whole file in memory.
#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>

#include <middlewared/http.hpp>

#include <middlewared/method.hpp>

namespace mw::server {

class UploadPipe final : public UploadSource {
 public:
  enum class Push { Accepted, Full, Closed };

  explicit UploadPipe(std::size_t limit = 4u << 20) : limit_(limit) {}

  // Network side. Full: stop reading until `on_room` runs (from the reader's thread, once the
  // queue is below half its limit, or when the reader leaves). Closed: the reader has left.
  Push push(std::string chunk, std::function<void()> on_room);
  // The end of the file: complete, or cut short (the client went away).
  void finish(bool complete);

  // Job side.
  std::size_t read(char* out, std::size_t size) override;
  // The job is over, whether or not it read everything: later pushes answer Closed.
  void leave();

  std::size_t buffered() const;

 private:
  void wake_writer(std::unique_lock<std::mutex>& lock);

  const std::size_t limit_;
  mutable std::mutex mutex_;
  std::condition_variable readable_;
  std::deque<std::string> chunks_;
  std::size_t offset_ = 0;  // into chunks_.front()
  std::size_t buffered_ = 0;
  bool finished_ = false;
  bool complete_ = false;
  bool left_ = false;
  std::function<void()> on_room_;
};

// What POST /_upload's start gave: a job id, or the HTTP status and text of a refusal.
struct UploadStart {
  int status = 200;
  std::string message;
  int job_id = 0;
};

// Authenticates the request (`head` has no body), reads the "data" part ({"method", "params"}),
// checks that the method takes uploads and the caller may call it, and starts its job reading
// `pipe`. May block (authentication); runs off the network thread.
using UploadStarter =
    std::function<UploadStart(const HttpRequest& head, const std::string& data_part, std::shared_ptr<UploadPipe> pipe)>;

}  // namespace mw::server
