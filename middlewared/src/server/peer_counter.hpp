#pragma once
// Open connections per remote address, with a cap ([limits] connections_per_ip): one client
// cannot take all descriptors. A Slot holds one place until it is destroyed. Thread-safe.
#include <cstddef>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "session/peer_address.hpp"

namespace mw::server {

class PeerCounter : public std::enable_shared_from_this<PeerCounter> {
 public:
  class Slot {
   public:
    Slot(std::shared_ptr<PeerCounter> owner, std::string address);
    ~Slot();
    Slot(const Slot&) = delete;
    Slot& operator=(const Slot&) = delete;

   private:
    std::shared_ptr<PeerCounter> owner_;
    std::string address_;
  };

  // `max_per_address` 0 means unlimited.
  explicit PeerCounter(std::size_t max_per_address) : max_(max_per_address) {}
  // A place for one more connection from `address`, or nullptr when it has `max_per_address` already.
  std::shared_ptr<Slot> acquire(const std::string& address);
  std::size_t count(const std::string& address) const;

 private:
  void release(const std::string& address);

  std::size_t max_;
  mutable std::mutex mutex_;
  std::map<std::string, std::size_t, std::less<>> open_;
};

using session::is_loopback_address;

}  // namespace mw::server
