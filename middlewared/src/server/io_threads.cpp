#include "server/io_threads.hpp"

#include <pthread.h>

#include <boost/asio/post.hpp>

#include <middlewared/guard.hpp>
#include <mw/util/thread_stack.hpp>

namespace mw::server {

IoThreads::IoThreads(std::size_t count, std::shared_ptr<spdlog::logger> log) {
  if (count == 0) count = std::max(1u, std::thread::hardware_concurrency());
  for (std::size_t i = 0; i < count; ++i) {
    auto loop = std::make_unique<Loop>();
    loop->thread = std::thread([io = &loop->io, log, name = "mw-io-" + std::to_string(i)] {
      pthread_setname_np(pthread_self(), name.c_str());
      run_guarded_loop(log, "the I/O thread " + name, [io] { io->run(); });
    });
    loops_.push_back(std::move(loop));
  }
}

IoThreads::~IoThreads() { stop(); }

boost::asio::io_context& IoThreads::next() { return loops_[next_.fetch_add(1) % loops_.size()]->io; }

void IoThreads::release_unused_stacks() {
  for (auto& loop : loops_) boost::asio::post(loop->io, [] { util::release_unused_stack(); });
}

void IoThreads::stop() {
  for (auto& loop : loops_) loop->io.stop();
  for (auto& loop : loops_)
    if (loop->thread.joinable()) loop->thread.join();
}

}  // namespace mw::server
