#pragma once
// Who may write to a WebSocket connection's socket, and when.
//
// Answers are produced on worker threads. Handing each one to the I/O thread to write costs a
// thread wake-up per answer (10-30 us on a small VM), the largest part of a fast call's round
// trip, and makes the single I/O thread the bottleneck under load. So a thread with a complete
// frame writes it to the socket itself when nothing else is being written: non-blocking, under
// this gate's lock. Everything else (a frame while another write is under way, a frame the
// socket did not take whole, Beast's own pong and close frames) goes the usual way through the
// I/O thread, in order. Slow consumers are still caught by the queue limits.
//
// The gate sees every write Beast makes through GatedStream (server/gated_stream.hpp) and follows
// the frames in them byte by byte, so a direct write never lands inside a frame of Beast's (a
// queued answer, a pong, an idle ping, a close), and nothing is written after a close frame.
//
// Answers the I/O thread produces while it handles the frames of one read (calls that run to
// completion there) are held and leave together, in one write, before the I/O thread next touches
// the socket: a client with several calls in flight gets their answers for one system call
// instead of one each (docs/BENCHMARKS.md, "Core"). Whatever
// is offered meanwhile goes out behind them, so frames still leave in the order they were offered.
//
// A streamed answer (session::StreamedAnswer) takes its place in the same order, but only the I/O
// thread writes it, part by part through Beast, as the socket takes them: frames offered after it
// wait in the queue until its last part is out.
#include <cstddef>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include <middlewared/result_text.hpp>

#include "session/streamed_answer.hpp"

namespace mw::server {

// A move-only task (Beast's handlers cannot be copied into std::function).
class DeferredWrite {
 public:
  DeferredWrite() = default;
  template <class F>
  explicit DeferredWrite(F f) : impl_(std::make_unique<Impl<F>>(std::move(f))) {}
  explicit operator bool() const { return impl_ != nullptr; }
  void operator()() {
    auto impl = std::move(impl_);
    impl->run();
  }

 private:
  struct Base {
    virtual ~Base() = default;
    virtual void run() = 0;
  };
  template <class F>
  struct Impl : Base {
    explicit Impl(F f) : f(std::move(f)) {}
    void run() override { f(); }
    F f;
  };
  std::unique_ptr<Base> impl_;
};

class FrameGate {
 public:
  using Frame = std::shared_ptr<const std::string>;
  using Stream = std::shared_ptr<session::StreamedAnswer>;
  // What waits in the queue: a whole frame, or a streamed answer (exactly one is set).
  struct Queued {
    Frame frame;
    Stream stream;
    // What it counts for against Limits::max_bytes. A streamed answer's bytes do not exist yet,
    // but it holds what it reads until it is sent (rows, a catalog snapshot): it counts as the
    // least a streamed answer is, so that a client that asks for many and reads none is still
    // dropped, as when each answer was queued whole.
    std::size_t size() const { return frame ? frame->size() : ResultText::kStreamFrom; }
  };
  struct Limits {
    std::size_t max_frames;
    std::size_t max_bytes;
  };
  enum class Offer {
    Sent,      // written whole by the calling thread
    Held,      // kept, to leave with the others at the next flush()
    Queued,    // queued behind a write the I/O thread is doing
    Start,     // queued; the I/O thread must start writing the queue
    Partial,   // partly written; the I/O thread must write remainder(), then the queue
    Overflow,  // the queue limits are exceeded: drop the connection
    Closed,    // the connection is closing: dropped
    Failed,    // the socket refused the write (peer gone): drop the connection
  };

  explicit FrameGate(Limits limits) : limits_(limits) {}
  ~FrameGate();
  FrameGate(const FrameGate&) = delete;
  FrameGate& operator=(const FrameGate&) = delete;

  // I/O thread, once the WebSocket handshake is done: direct writes to the socket `fd` may start.
  // The gate writes through its own duplicate of `fd`, so a descriptor number that Beast closes
  // (a timeout) and the system hands out again can never receive our bytes.
  void open(int fd);
  // No direct writes from now on (a close frame is on its way, or the connection is going); the
  // duplicate descriptor is closed. Frames already queued are still written by the I/O thread.
  void close_direct_writes();

  // Any thread: sends `text` as one unmasked text frame, after the held frames if there are any.
  Offer offer(Frame text);
  // Any thread: queues `answer`, after the held frames, for the I/O thread to write (Start when
  // it must begin writing the queue).
  Offer offer_stream(Stream answer);
  // The I/O thread, while it handles the frames of one read: `text` is held for flush() (it
  // queues at once when the queue is in use, to stay behind what is queued). A flush happens here
  // when the held frames grow large.
  Offer hold(Frame text);
  // The I/O thread, before it next reads or writes the socket: the held frames go out, in one
  // write when the socket takes them (Sent), or as offer() says otherwise. Sent when none.
  Offer flush();

  // --- the I/O thread's side ---
  // The I/O thread, which owns the queue (offer() said Start): writes every queued frame at once,
  // directly, when nothing else is on the socket. Sent: the queue is empty and the I/O thread
  // stops writing. Partial: write remainder() first, as after offer(). Failed: drop the
  // connection. Start: the queue stays the I/O thread's, to write the usual way (next_frame()),
  // because a Beast write is under way, the socket is full or a streamed answer is next.
  Offer write_queue();
  // The next queued frame or stream for the I/O thread to write, neither set when the queue is
  // empty (the I/O thread then stops writing). It stays queued until frame_written().
  Queued next_frame();
  void frame_written();
  // The bytes of a partly sent frame still to be written, raw: what is left of its header (often
  // nothing), then of its payload. Both stay put until remainder_written().
  struct Remainder {
    std::string_view header;
    std::string_view payload;
  };
  Remainder remainder() const;
  // The remainder is out. Returns a Beast write held back meanwhile, to be run now, and sets
  // `write_queue` when frames queued up behind the remainder: the caller must then write them
  // (it owns the queue from now on, as if offer() had said Start).
  DeferredWrite remainder_written(bool& write_queue);
  // A Beast write of the bytes starting with `head` (up to 10 of them) is starting, through
  // GatedStream. False while a remainder is being written: `write` is then kept and returned by
  // remainder_written().
  bool beast_write_begins(DeferredWrite& write, const unsigned char* head, std::size_t head_size);
  void beast_write_ends(std::size_t written);

  std::size_t queued_frames() const;
  std::size_t queued_bytes() const;

 private:
  bool direct_write_allowed() const;
  void stop_direct_writes();  // with mutex_ held
  Offer queue(Queued item);
  // Writes the held frames directly while the socket takes them and queues the rest (mutex_ held).
  Offer write_held();

  // Held frames leave at the latest at these sizes: a read's worth of calls, kept bounded.
  static constexpr std::size_t kMaxHeldFrames = 256;
  static constexpr std::size_t kMaxHeldBytes = 256 * 1024;

  const Limits limits_;
  mutable std::mutex mutex_;
  bool opened_ = false;
  int fd_ = -1;  // our duplicate of the socket, while direct writes are possible
  bool direct_closed_ = false;
  bool writing_ = false;              // the I/O thread is writing the queue
  int beast_writes_ = 0;              // Beast writes in flight on the socket
  std::size_t beast_frame_left_ = 0;  // bytes of the frame Beast is writing still to come
  std::deque<Queued> queue_;
  std::size_t queued_bytes_ = 0;
  std::vector<Frame> held_frames_;  // offered, not written yet; empty while the queue is in use
  std::size_t held_bytes_ = 0;
  bool remainder_pending_ = false;
  // What the socket did not take of a direct write: the frame is kept, not copied (a large answer
  // is most of it), with the header bytes still to go and where the payload's rest begins.
  Frame remainder_frame_;
  unsigned char remainder_header_[10] = {};
  std::size_t remainder_header_size_ = 0;
  std::size_t remainder_offset_ = 0;
  DeferredWrite held_;  // a Beast write waiting for the remainder
};

// The header of an unmasked, final text frame with a payload of `size` bytes; returns its length
// (2, 4 or 10).
std::size_t text_frame_header(std::size_t size, unsigned char (&out)[10]);

}  // namespace mw::server
