#pragma once
// The answer of a handler that holds it as JSON text already (CallContext::result_text). The text
// is written once, in place, into the buffer that becomes the frame on the wire: a large answer
// (megabytes, for a query of thousands of rows) is never copied into the envelope around it.
#include <cstddef>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>

namespace mw {

// A result written part by part while it is being sent (ResultText::stream): an answer of
// megabytes never exists whole, and the client reads its first rows while the rest are written.
class ResultParts {
 public:
  virtual ~ResultParts() = default;
  // Appends the next part of the result's JSON text to `out`, about `size` bytes (more is fine:
  // an element is never split; `size` is a goal, not a size to reserve: it may be huge when the
  // whole text is wanted at once). Returns false once the text is complete. Called in order, after
  // the handler has returned, on whichever thread writes the answer: it must own, or share,
  // everything it reads.
  virtual bool next(std::string& out, std::size_t size) = 0;
};

// A result that is a JSON list, streamed element by element: each part holds whole elements, at
// least one, as many as reach about the size asked.
class ListParts : public ResultParts {
 public:
  bool next(std::string& out, std::size_t size) final;
  virtual std::size_t count() const = 0;
  // Appends element `i`'s JSON text.
  virtual void append(std::string& out, std::size_t i) const = 0;

 private:
  bool opened_ = false;
  std::size_t next_ = 0;  // the next element to append
};

class ResultText {
 public:
  // From this size on, the daemon maps a block on its own and unmaps it when freed (tune_allocator
  // in app/main.cpp), and reserve() asks for huge pages for it.
  static constexpr std::size_t kLargeAnswer = std::size_t{4} << 20;

  // --- the handler's side ---
  // The buffer to append the result's JSON text to. It may already hold the start of the frame
  // around the result: append, never assign.
  std::string& out() {
    begin();
    written_ = true;
    return buffer_;
  }
  // Grows the buffer once for a result of about `size` bytes, with room for the frame's end.
  void reserve(std::size_t size);
  bool written() const { return written_; }
  // An answer from this size on is better sent while it is written than built whole first.
  static constexpr std::size_t kStreamFrom = std::size_t{1} << 20;
  // Whether the caller takes a streamed result: a wire format that can send one, and nobody who
  // needs the whole text at once (the result check).
  bool can_stream() const { return can_stream_; }
  // Instead of writing the text: `parts` writes it while it is sent. Only when can_stream(), and
  // not after out().
  void stream(std::unique_ptr<ResultParts> parts) {
    if (!can_stream_ || written_) throw std::logic_error("a result may be streamed only where can_stream() says so");
    parts_ = std::move(parts);
  }
  bool streamed() const { return parts_ != nullptr; }
  // The result's text alone (empty until written).
  std::string_view text() const { return written_ ? std::string_view(buffer_).substr(start_) : std::string_view(); }

  // --- the dispatcher's side (the wire protocol) ---
  // The frame starts with `head` (text that outlives this object); about `tail_room` bytes will
  // follow the result. Nothing is allocated until the handler writes: most handlers never do.
  void begin_frame(std::string_view head, std::size_t tail_room) {
    head_ = head;
    start_ = head.size();
    tail_room_ = tail_room;
  }
  void allow_stream() { can_stream_ = true; }
  std::unique_ptr<ResultParts> take_parts() { return std::move(parts_); }
  // The whole buffer, the frame's head and the result, to finish the frame in.
  std::string take_frame() {
    begin();
    written_ = false;
    started_ = false;
    start_ = 0;
    head_ = {};
    return std::move(buffer_);
  }

 private:
  void begin() {
    if (started_) return;
    started_ = true;
    buffer_.assign(head_);
  }

  std::string buffer_;
  std::string_view head_;
  bool started_ = false;
  std::size_t start_ = 0;
  std::size_t tail_room_ = 0;
  bool written_ = false;
  bool can_stream_ = false;
  std::unique_ptr<ResultParts> parts_;
};

}  // namespace mw
