#include <middlewared/errors.hpp>
#include <middlewared/job.hpp>

namespace mw {

void Job::check_abort() const {
  if (abort_requested()) throw JobAborted();
}

}  // namespace mw
