#include "session/streamed_answer.hpp"

#include <limits>

namespace mw::session {

bool StreamedAnswer::next(std::size_t size) {
  part_.clear();  // keeps its capacity for the next frame
  if (!started_) {
    started_ = true;
    part_ += head_;
  }
  while (!parts_done_ && part_.size() < size) parts_done_ = !parts_->next(part_, size - part_.size());
  if (!parts_done_) return false;
  part_ += tail_;
  return true;
}

std::string StreamedAnswer::whole() {
  next(std::numeric_limits<std::size_t>::max());
  return std::move(part_);
}

}  // namespace mw::session
