#include "server/frame_gate.hpp"

#include <fcntl.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

namespace mw::server {

std::size_t text_frame_header(std::size_t size, unsigned char (&out)[10]) {
  out[0] = 0x81;  // FIN, text
  if (size < 126) {
    out[1] = static_cast<unsigned char>(size);
    return 2;
  }
  if (size <= 0xffff) {
    out[1] = 126;
    out[2] = static_cast<unsigned char>(size >> 8);
    out[3] = static_cast<unsigned char>(size);
    return 4;
  }
  out[1] = 127;
  for (int i = 0; i < 8; ++i)
    out[2 + i] = static_cast<unsigned char>(static_cast<unsigned long long>(size) >> (56 - 8 * i));
  return 10;
}

FrameGate::~FrameGate() { stop_direct_writes(); }

void FrameGate::open(int fd) {
  std::lock_guard lock(mutex_);
  opened_ = true;
  if (!direct_closed_) fd_ = ::fcntl(fd, F_DUPFD_CLOEXEC, 0);  // -1: no direct writes, all queued
}

void FrameGate::close_direct_writes() {
  std::lock_guard lock(mutex_);
  stop_direct_writes();
}

void FrameGate::stop_direct_writes() {
  direct_closed_ = true;
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

bool FrameGate::direct_write_allowed() const {
  return fd_ >= 0 && !direct_closed_ && !writing_ && beast_writes_ == 0 && beast_frame_left_ == 0 &&
         !remainder_pending_ && queue_.empty();
}

FrameGate::Offer FrameGate::queue(Frame text) {
  queued_bytes_ += text->size();
  queue_.push_back(std::move(text));
  if (queue_.size() > limits_.max_frames || queued_bytes_ > limits_.max_bytes) {
    stop_direct_writes();  // the connection is being dropped: later frames are dropped at once
    return Offer::Overflow;
  }
  if (writing_ || remainder_pending_) return Offer::Queued;  // the remainder's end starts the queue
  writing_ = true;
  return Offer::Start;
}

FrameGate::Offer FrameGate::offer(Frame text) {
  std::lock_guard lock(mutex_);
  if (direct_closed_) return Offer::Closed;  // a close frame is (or will be) the last thing written
  if (!direct_write_allowed()) return queue(std::move(text));

  unsigned char header[10];
  std::size_t header_size = text_frame_header(text->size(), header);
  iovec parts[2] = {{header, header_size}, {const_cast<char*>(text->data()), text->size()}};
  msghdr message{};
  message.msg_iov = parts;
  message.msg_iovlen = 2;
  ssize_t sent = ::sendmsg(fd_, &message, MSG_NOSIGNAL | MSG_DONTWAIT);
  const std::size_t total = header_size + text->size();
  if (sent == static_cast<ssize_t>(total)) return Offer::Sent;
  if (sent < 0) {
    if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) return queue(std::move(text));
    stop_direct_writes();
    return Offer::Failed;
  }
  // The socket took part of the frame: the rest must follow before anything else.
  auto done = static_cast<std::size_t>(sent);
  remainder_.clear();
  if (done < header_size) remainder_.append(reinterpret_cast<const char*>(header) + done, header_size - done);
  std::size_t payload_done = done > header_size ? done - header_size : 0;
  remainder_.append(*text, payload_done, std::string::npos);
  remainder_pending_ = true;
  return Offer::Partial;
}

FrameGate::Frame FrameGate::next_frame() {
  std::lock_guard lock(mutex_);
  if (queue_.empty()) {
    writing_ = false;
    return nullptr;
  }
  writing_ = true;
  return queue_.front();
}

void FrameGate::frame_written() {
  std::lock_guard lock(mutex_);
  if (queue_.empty()) return;
  queued_bytes_ -= queue_.front()->size();
  queue_.pop_front();
}

std::string_view FrameGate::remainder() const {
  std::lock_guard lock(mutex_);
  return remainder_;
}

DeferredWrite FrameGate::remainder_written(bool& write_queue) {
  std::lock_guard lock(mutex_);
  remainder_pending_ = false;
  // Claimed here, under the lock, so that an offer() racing with this cannot start a second writer.
  write_queue = !queue_.empty() && !writing_;
  if (write_queue) writing_ = true;
  remainder_.clear();
  remainder_.shrink_to_fit();
  if (held_) ++beast_writes_;  // it starts now; its end comes through beast_write_ends()
  return std::move(held_);
}

namespace {

// The whole length of the server frame whose first bytes are `head` (server frames are unmasked,
// but a mask is counted if set); 0 when `head` is too short to tell.
std::size_t frame_length(const unsigned char* head, std::size_t n) {
  if (n < 2) return 0;
  std::size_t mask = (head[1] & 0x80) ? 4 : 0;
  std::size_t len7 = head[1] & 0x7f;
  if (len7 < 126) return 2 + mask + len7;
  if (len7 == 126) return n < 4 ? 0 : 4 + mask + ((std::size_t{head[2]} << 8) | head[3]);
  if (n < 10) return 0;
  std::size_t len = 0;
  for (int i = 2; i < 10; ++i) len = (len << 8) | head[i];
  return 10 + mask + len;
}

}  // namespace

bool FrameGate::beast_write_begins(DeferredWrite& write, const unsigned char* head, std::size_t head_size) {
  std::lock_guard lock(mutex_);
  if (opened_ && beast_frame_left_ == 0) {
    // A new frame (after the handshake, Beast writes whole frames, one per write operation).
    beast_frame_left_ = frame_length(head, head_size);
    if (head_size > 0 && (head[0] & 0x0f) == 0x8) stop_direct_writes();  // a close frame: the end
  }
  if (remainder_pending_) {
    held_ = std::move(write);
    return false;
  }
  ++beast_writes_;
  return true;
}

void FrameGate::beast_write_ends(std::size_t written) {
  std::lock_guard lock(mutex_);
  --beast_writes_;
  beast_frame_left_ -= std::min(written, beast_frame_left_);
}

std::size_t FrameGate::queued_frames() const {
  std::lock_guard lock(mutex_);
  return queue_.size();
}

std::size_t FrameGate::queued_bytes() const {
  std::lock_guard lock(mutex_);
  return queued_bytes_;
}

}  // namespace mw::server
