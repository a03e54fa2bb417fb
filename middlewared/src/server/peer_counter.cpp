#include "server/peer_counter.hpp"

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

}  // namespace mw::server
