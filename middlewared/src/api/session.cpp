#include <middlewared/session.hpp>

namespace mw {

std::string PeerInfo::origin() const {
  switch (transport) {
    case Transport::Tcp:
      return "tcp:" + remote_address + ":" + std::to_string(remote_port);
    case Transport::Unix:
      return "unix:pid=" + (pid ? std::to_string(*pid) : std::string("?")) +
             ",uid=" + (uid ? std::to_string(*uid) : std::string("?"));
    case Transport::Internal:
      break;
  }
  return "internal";
}

}  // namespace mw
