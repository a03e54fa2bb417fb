#include "server/accept_backoff.hpp"

#include <spdlog/spdlog.h>
#include <boost/asio/error.hpp>
#include <boost/asio/post.hpp>

namespace mw::server {

void AcceptBackoff::failed(const boost::system::error_code& ec, std::function<void()> retry) {
  if (ec == boost::asio::error::connection_aborted) return boost::asio::post(timer_.get_executor(), std::move(retry));
  if (failures_++ == 0)
    log_->warn("accepting on {} failed: {}; retrying every {} ms until it works", listener_, ec.message(),
               kPause.count());
  timer_.expires_after(kPause);
  timer_.async_wait([retry = std::move(retry)](const boost::system::error_code& wait_ec) {
    if (!wait_ec) retry();
  });
}

void AcceptBackoff::succeeded() {
  if (failures_ == 0) return;
  log_->info("accepting on {} again after {} failed attempts", listener_, failures_);
  failures_ = 0;
}

}  // namespace mw::server
