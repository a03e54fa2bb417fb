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
  held_frames_.clear();  // like frames offered after the close
  held_bytes_ = 0;
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

FrameGate::Offer FrameGate::queue(Queued item) {
  queued_bytes_ += item.size();
  queue_.push_back(std::move(item));
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
  held_bytes_ += text->size();
  held_frames_.push_back(std::move(text));
  return write_held();
}

FrameGate::Offer FrameGate::offer_stream(Stream answer) {
  std::lock_guard lock(mutex_);
  if (direct_closed_) return Offer::Closed;
  const Offer held = held_frames_.empty() ? Offer::Sent : write_held();
  if (held == Offer::Failed || held == Offer::Overflow) return held;
  const Offer queued = queue({nullptr, std::move(answer)});
  if (queued == Offer::Overflow) return queued;
  // What the held frames left to do comes first: a remainder, or starting the queue.
  if (held == Offer::Partial || held == Offer::Start) return held;
  return queued;
}

FrameGate::Offer FrameGate::hold(Frame text) {
  std::lock_guard lock(mutex_);
  if (direct_closed_) return Offer::Closed;
  if (held_frames_.empty() && !direct_write_allowed()) return queue({std::move(text), nullptr});
  held_bytes_ += text->size();
  held_frames_.push_back(std::move(text));
  if (held_frames_.size() < kMaxHeldFrames && held_bytes_ < kMaxHeldBytes) return Offer::Held;
  return write_held();
}

FrameGate::Offer FrameGate::flush() {
  std::lock_guard lock(mutex_);
  if (held_frames_.empty()) return Offer::Sent;
  if (direct_closed_) {
    held_frames_.clear();
    held_bytes_ = 0;
    return Offer::Closed;
  }
  return write_held();
}

FrameGate::Offer FrameGate::write_held() {
  std::size_t next = 0;  // the first held frame not yet (wholly or partly) on the socket
  bool partial = false;
  while (next < held_frames_.size() && direct_write_allowed()) {
    constexpr std::size_t kFramesPerWrite = 64;  // a header and a payload each: 128 of IOV_MAX
    const std::size_t n = std::min(held_frames_.size() - next, kFramesPerWrite);
    unsigned char headers[kFramesPerWrite][10];
    iovec parts[2 * kFramesPerWrite];
    std::size_t total = 0;
    for (std::size_t i = 0; i < n; ++i) {
      const Frame& text = held_frames_[next + i];
      std::size_t header_size = text_frame_header(text->size(), headers[i]);
      parts[2 * i] = {headers[i], header_size};
      parts[2 * i + 1] = {const_cast<char*>(text->data()), text->size()};
      total += header_size + text->size();
    }
    msghdr message{};
    message.msg_iov = parts;
    message.msg_iovlen = 2 * n;
    ssize_t sent = ::sendmsg(fd_, &message, MSG_NOSIGNAL | MSG_DONTWAIT);
    if (sent < 0) {
      if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) break;  // the rest queues
      stop_direct_writes();
      held_frames_.clear();
      held_bytes_ = 0;
      return Offer::Failed;
    }
    if (static_cast<std::size_t>(sent) == total) {
      next += n;
      continue;
    }
    // The socket took part of a frame: the rest of it must follow before anything else.
    auto done = static_cast<std::size_t>(sent);
    std::size_t i = 0;
    for (; done >= parts[2 * i].iov_len + parts[2 * i + 1].iov_len; ++i)
      done -= parts[2 * i].iov_len + parts[2 * i + 1].iov_len;
    const std::size_t header_size = parts[2 * i].iov_len;
    remainder_header_size_ = done < header_size ? header_size - done : 0;
    std::copy_n(headers[i] + (header_size - remainder_header_size_), remainder_header_size_, remainder_header_);
    remainder_offset_ = done > header_size ? done - header_size : 0;
    remainder_frame_ = std::move(held_frames_[next + i]);
    remainder_pending_ = true;
    partial = true;
    next += i + 1;
    break;
  }
  // What the socket did not take queues for the I/O thread, in order (behind a remainder).
  Offer result = partial ? Offer::Partial : Offer::Sent;
  for (; next < held_frames_.size(); ++next) {
    Offer queued = queue({std::move(held_frames_[next]), nullptr});
    if (queued == Offer::Overflow) {
      result = Offer::Overflow;
      break;
    }
    if (partial) continue;
    if (queued == Offer::Start) result = Offer::Start;
    if (result == Offer::Sent) result = Offer::Queued;
  }
  held_frames_.clear();
  held_bytes_ = 0;
  return result;
}

FrameGate::Offer FrameGate::write_queue() {
  std::lock_guard lock(mutex_);
  if (fd_ < 0 || direct_closed_ || beast_writes_ > 0 || beast_frame_left_ > 0 || remainder_pending_ || queue_.empty() ||
      queue_.front().stream)
    return Offer::Start;
  // The frames up to the first streamed answer go out now; the answer and what follows it wait
  // for the I/O thread. The queued frames were offered before any held one (frames are held only
  // while the queue is not in use), so they go first.
  auto first_stream = std::find_if(queue_.begin(), queue_.end(), [](const Queued& q) { return q.stream != nullptr; });
  std::vector<Frame> frames;
  for (auto it = queue_.begin(); it != first_stream; ++it) frames.push_back(std::move(it->frame));
  std::deque<Queued> behind(std::make_move_iterator(first_stream), std::make_move_iterator(queue_.end()));
  queue_.clear();
  queued_bytes_ = 0;
  for (const auto& frame : frames) held_bytes_ += frame->size();
  held_frames_.insert(held_frames_.begin(), std::make_move_iterator(frames.begin()),
                      std::make_move_iterator(frames.end()));
  writing_ = false;
  const Offer result = write_held();  // what the socket does not take queues again, and Start says so
  if (behind.empty() || result == Offer::Failed || result == Offer::Overflow) return result;
  for (auto& q : behind) {
    queued_bytes_ += q.size();
    queue_.push_back(std::move(q));
  }
  if (result == Offer::Partial) return result;  // the remainder's end hands the queue on
  writing_ = true;                              // the I/O thread keeps the queue, for the stream
  return Offer::Start;
}

FrameGate::Queued FrameGate::next_frame() {
  std::lock_guard lock(mutex_);
  if (queue_.empty()) {
    writing_ = false;
    return {};
  }
  writing_ = true;
  return queue_.front();
}

void FrameGate::frame_written() {
  std::lock_guard lock(mutex_);
  if (queue_.empty()) return;
  queued_bytes_ -= queue_.front().size();
  queue_.pop_front();
}

FrameGate::Remainder FrameGate::remainder() const {
  std::lock_guard lock(mutex_);
  if (!remainder_frame_) return {};
  return {std::string_view(reinterpret_cast<const char*>(remainder_header_), remainder_header_size_),
          std::string_view(*remainder_frame_).substr(remainder_offset_)};
}

DeferredWrite FrameGate::remainder_written(bool& write_queue) {
  std::lock_guard lock(mutex_);
  remainder_pending_ = false;
  // Claimed here, under the lock, so that an offer() racing with this cannot start a second writer.
  write_queue = !queue_.empty() && !writing_;
  if (write_queue) writing_ = true;
  remainder_frame_.reset();
  remainder_header_size_ = 0;
  remainder_offset_ = 0;
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
