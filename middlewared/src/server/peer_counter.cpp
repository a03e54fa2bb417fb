#include "server/peer_counter.hpp"

#include <arpa/inet.h>

#include <cstring>

namespace mw::server {

PeerCounter::Slot::Slot(std::shared_ptr<PeerCounter> owner, std::string address)
    : owner_(std::move(owner)), address_(std::move(address)) {}

PeerCounter::Slot::~Slot() { owner_->release(address_); }

std::shared_ptr<PeerCounter::Slot> PeerCounter::acquire(const std::string& address) {
  {
    std::lock_guard lock(mutex_);
    std::size_t& n = open_[address];
    if (max_ != 0 && n >= max_) {
      return nullptr;
    }
    ++n;
  }
  return std::make_shared<Slot>(shared_from_this(), address);
}

void PeerCounter::release(const std::string& address) {
  std::lock_guard lock(mutex_);
  auto it = open_.find(address);
  if (it == open_.end()) return;
  if (--it->second == 0) open_.erase(it);
}

std::size_t PeerCounter::count(const std::string& address) const {
  std::lock_guard lock(mutex_);
  auto it = open_.find(address);
  return it == open_.end() ? 0 : it->second;
}

bool is_loopback_address(const std::string& address) {
  in_addr v4{};
  if (inet_pton(AF_INET, address.c_str(), &v4) == 1) return (ntohl(v4.s_addr) >> 24) == 127;
  in6_addr v6{};
  if (inet_pton(AF_INET6, address.c_str(), &v6) != 1) return false;
  if (IN6_IS_ADDR_LOOPBACK(&v6)) return true;
  return IN6_IS_ADDR_V4MAPPED(&v6) && v6.s6_addr[12] == 127;
}

}  // namespace mw::server
