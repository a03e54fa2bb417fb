#pragma once
// An answer sent as one WebSocket message of several frames, each written just before it is sent:
// the envelope's head, the result's parts, then the envelope's tail. The connection pulls the
// frames as its socket takes them, so one part is in memory at a time, never the whole answer.
#include <cstddef>
#include <memory>
#include <string>

#include <middlewared/result_text.hpp>

namespace mw::session {

class StreamedAnswer {
 public:
  StreamedAnswer(std::string head, std::unique_ptr<ResultParts> parts, std::string tail)
      : head_(std::move(head)), parts_(std::move(parts)), tail_(std::move(tail)) {}

  // Writes the next frame's payload, about `size` bytes, into part(). Returns true when that is
  // the message's last frame. Throws what the parts throw.
  bool next(std::size_t size);
  // The payload next() wrote; it stays put until the next call.
  const std::string& part() const { return part_; }
  // The whole message at once, for a connection that cannot send it in parts.
  std::string whole();

 private:
  std::string head_;
  std::unique_ptr<ResultParts> parts_;
  std::string tail_;
  std::string part_;  // one buffer for every frame, freed with the answer
  bool started_ = false;
  bool parts_done_ = false;
};

}  // namespace mw::session
