#pragma once
// Event sources and publishing. Subscriptions and delivery are the core's.
#include <optional>
#include <string>
#include <vector>

#include <middlewared/json.hpp>

namespace mw {

struct EventSpec {
  std::string name;  // "vm.query"
  std::string description;
  std::vector<std::string> roles;             // needed to subscribe; empty = any authenticated caller
  std::vector<std::string> unredacted_roles;  // who sees `fields` rather than `redacted_fields`
};

enum class EventKind { Added, Changed, Removed };

class EventBus {
 public:
  virtual ~EventBus() = default;
  // `redacted_fields`, when given, goes to subscribers lacking the source's unredacted roles.
  virtual void publish(std::string_view collection, EventKind kind, json::value id,
                       std::optional<json::value> fields = std::nullopt,
                       std::optional<json::value> redacted_fields = std::nullopt) = 0;
  // Whether any connection is subscribed to `collection` now: sources that cost something to
  // produce (sampled statistics) work only while someone listens.
  virtual bool has_subscribers(std::string_view collection) const { return true; }
};

}  // namespace mw
