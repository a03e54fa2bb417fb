#include "server/upload_pipe.hpp"

#include <cerrno>
#include <cstring>

#include <middlewared/errors.hpp>

namespace mw::server {

UploadPipe::Push UploadPipe::push(std::string chunk, std::function<void()> on_room) {
  std::lock_guard lock(mutex_);
  if (left_) return Push::Closed;
  buffered_ += chunk.size();
  if (!chunk.empty()) chunks_.push_back(std::move(chunk));
  readable_.notify_one();
  if (buffered_ <= limit_) return Push::Accepted;
  on_room_ = std::move(on_room);
  return Push::Full;
}

void UploadPipe::finish(bool complete) {
  std::lock_guard lock(mutex_);
  finished_ = true;
  complete_ = complete;
  readable_.notify_all();
}

void UploadPipe::wake_writer(std::unique_lock<std::mutex>& lock) {
  auto wake = std::move(on_room_);
  on_room_ = nullptr;
  lock.unlock();
  if (wake) wake();
}

std::size_t UploadPipe::read(char* out, std::size_t size) {
  std::unique_lock lock(mutex_);
  readable_.wait(lock, [this] { return !chunks_.empty() || finished_; });
  if (chunks_.empty()) {
    if (!complete_) throw CallError("The upload was interrupted before the whole file arrived", EPIPE);
    return 0;
  }
  std::size_t n = 0;
  while (n < size && !chunks_.empty()) {
    const auto& front = chunks_.front();
    const std::size_t take = std::min(size - n, front.size() - offset_);
    std::memcpy(out + n, front.data() + offset_, take);
    n += take;
    offset_ += take;
    if (offset_ == front.size()) {
      chunks_.pop_front();
      offset_ = 0;
    }
  }
  buffered_ -= n;
  if (on_room_ && buffered_ <= limit_ / 2) wake_writer(lock);
  return n;
}

void UploadPipe::leave() {
  std::unique_lock lock(mutex_);
  left_ = true;
  chunks_.clear();
  buffered_ = 0;
  wake_writer(lock);
}

std::size_t UploadPipe::buffered() const {
  std::lock_guard lock(mutex_);
  return buffered_;
}

}  // namespace mw::server
