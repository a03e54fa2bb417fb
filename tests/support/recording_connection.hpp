#pragma once
// A ClientSession that keeps every frame sent to it, for unit tests of the core's delivery logic.
#include <mutex>
#include <string>
#include <vector>

#include <boost/json/parse.hpp>

#include "session/client_session.hpp"

namespace mw::test {

class RecordingConnection : public session::ClientSession {
 public:
  RecordingConnection(events::EventHub& hub, std::shared_ptr<const Credentials> creds,
                      PeerInfo peer = PeerInfo{PeerInfo::Transport::Unix},
                      session::WireFormat format = session::WireFormat::JsonRpc)
      : ClientSession(std::move(peer), hub, format) {
    set_credentials(std::move(creds));
  }

  bool send(std::shared_ptr<const std::string> frame) override {
    std::lock_guard lock(mutex_);
    frames_.push_back(*frame);
    return true;
  }
  // A streamed answer is kept as the message it becomes on the wire, and counted apart: a test
  // can tell how an answer was sent as well as what it says.
  bool send_stream(std::shared_ptr<session::StreamedAnswer> answer) override {
    std::string whole = answer->whole();
    std::lock_guard lock(mutex_);
    frames_.push_back(std::move(whole));
    ++streamed_;
    return true;
  }
  void close(int code, std::string reason) override {
    std::lock_guard lock(mutex_);
    closed_code_ = code;
  }

  std::vector<boost::json::object> messages() const {
    std::lock_guard lock(mutex_);
    std::vector<boost::json::object> out;
    for (const auto& f : frames_) out.push_back(boost::json::parse(f).as_object());
    return out;
  }
  std::size_t count() const {
    std::lock_guard lock(mutex_);
    return frames_.size();
  }
  // Every message as sent, streamed ones included.
  std::vector<std::string> frames() const {
    std::lock_guard lock(mutex_);
    return frames_;
  }
  std::size_t streamed() const {
    std::lock_guard lock(mutex_);
    return streamed_;
  }

 private:
  mutable std::mutex mutex_;
  std::vector<std::string> frames_;
  std::size_t streamed_ = 0;
  int closed_code_ = 0;
};

inline std::shared_ptr<const Credentials> make_credentials(std::string user, std::set<std::string, std::less<>> roles) {
  auto c = std::make_shared<Credentials>();
  c->type = "LOGIN_PASSWORD";
  c->username = std::move(user);
  c->roles = std::move(roles);
  return c;
}

}  // namespace mw::test
