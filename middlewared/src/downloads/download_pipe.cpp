#include "downloads/download_pipe.hpp"

#include <middlewared/errors.hpp>

namespace mw::downloads {

DownloadPipe::DownloadPipe(bool buffered, Clock::time_point reader_deadline, Limits limits)
    : buffered_(buffered), reader_deadline_(reader_deadline), limits_(limits) {}

void DownloadPipe::write(std::string_view bytes) {
  std::function<void()> deliver;
  {
    std::unique_lock lock(mutex_);
    while (!bytes.empty()) {
      if (!attached_ && !abandoned_ && Clock::now() >= reader_deadline_) abandoned_ = true;
      if (abandoned_ || closed_) throw CallError("The download was not fetched", EPIPE);
      if (buffered_) {
        if (data_.size() + bytes.size() > limits_.buffered_max)
          throw CallError("The download is larger than a buffered download may be", EFBIG);
        data_.append(bytes);
        bytes = {};
        break;
      }
      if (data_.size() >= limits_.window) {
        // A reader that asked while we were filling the window is served before we sleep, or both
        // sides would wait for each other.
        if (auto waiting_reader = serve_locked()) {
          lock.unlock();
          waiting_reader();
          lock.lock();
          continue;
        }
        // Wake at the reader's deadline too, so an unfetched download fails instead of hanging.
        if (attached_)
          space_.wait(lock);
        else
          space_.wait_until(lock, reader_deadline_);
        continue;
      }
      std::size_t n = std::min(bytes.size(), limits_.window - data_.size());
      data_.append(bytes.substr(0, n));
      bytes.remove_prefix(n);
    }
    deliver = serve_locked();
  }
  if (deliver) deliver();
}

void DownloadPipe::close() {
  std::function<void()> deliver;
  {
    std::lock_guard lock(mutex_);
    closed_ = true;
    deliver = serve_locked();
  }
  space_.notify_all();
  if (deliver) deliver();
}

bool DownloadPipe::attach() {
  std::lock_guard lock(mutex_);
  if (attached_ || abandoned_) return false;
  if (Clock::now() >= reader_deadline_) {
    abandoned_ = true;
    space_.notify_all();
    return false;
  }
  attached_ = true;
  return true;
}

void DownloadPipe::read(std::function<void(std::string, bool)> deliver) {
  std::function<void()> now;
  {
    std::lock_guard lock(mutex_);
    pending_ = std::move(deliver);
    now = serve_locked();
  }
  space_.notify_all();
  if (now) now();
}

void DownloadPipe::cancel() {
  {
    std::lock_guard lock(mutex_);
    abandoned_ = true;
    pending_ = nullptr;
    data_.clear();
  }
  space_.notify_all();
}

bool DownloadPipe::abandoned() const {
  std::lock_guard lock(mutex_);
  return abandoned_ || (!attached_ && Clock::now() >= reader_deadline_);
}

std::function<void()> DownloadPipe::serve_locked() {
  if (!pending_) return {};
  if (!data_.empty()) {
    std::size_t n = std::min(data_.size(), limits_.piece_max);
    std::string piece = data_.substr(0, n);
    data_.erase(0, n);
    space_.notify_all();
    return [d = std::exchange(pending_, nullptr), piece = std::move(piece)]() mutable { d(std::move(piece), false); };
  }
  if (closed_) return [d = std::exchange(pending_, nullptr)] { d({}, true); };
  return {};
}

}  // namespace mw::downloads
