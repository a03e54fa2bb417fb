// auth.sessions events with a fake event bus and session registry (the daemon-level proof is in
// tests/integration/auth and the TrueNAS client suite).
#include <gtest/gtest.h>

#include <map>
#include <mutex>

#include <boost/asio/io_context.hpp>

#include "auth/session_events.hpp"

namespace mw::plugins::auth {
namespace {

struct Published {
  EventKind kind;
  json::value id;
  std::optional<json::value> fields;
};

class FakeBus : public EventBus {
 public:
  void publish(std::string_view collection, EventKind kind, json::value id, std::optional<json::value> fields,
               std::optional<json::value>) override {
    EXPECT_EQ(collection, "auth.sessions");
    events.push_back({kind, std::move(id), std::move(fields)});
  }
  std::vector<Published> events;
};

class FakeSession : public Session {
 public:
  explicit FakeSession(std::string id) : id_(std::move(id)), creds_(std::make_shared<Credentials>()) {}
  const std::string& id() const override { return id_; }
  const PeerInfo& peer() const override { return peer_; }
  std::shared_ptr<const Credentials> credentials() const override { return creds_; }
  json::object set_options(const json::object&) override { return {}; }
  bool legacy_jobs() const override { return false; }
  std::string subscribe(const std::string&) override { return {}; }
  void unsubscribe(const std::string&) override {}
  void set_credentials(std::shared_ptr<const Credentials> c) override { creds_ = std::move(c); }

 private:
  std::string id_;
  PeerInfo peer_;
  std::shared_ptr<const Credentials> creds_;
};

class FakeRegistry : public SessionRegistry {
 public:
  std::vector<std::shared_ptr<Session>> sessions() const override {
    std::vector<std::shared_ptr<Session>> out;
    for (const auto& [id, s] : live) out.push_back(s);
    return out;
  }
  std::shared_ptr<Session> find_session(const std::string& id) const override {
    auto it = live.find(id);
    return it == live.end() ? nullptr : it->second;
  }
  std::map<std::string, std::shared_ptr<Session>> live;
};

class SessionEventsTest : public ::testing::Test {
 protected:
  FakeBus bus;
  FakeRegistry registry;
  boost::asio::io_context io;
  std::shared_ptr<SessionEvents> events = std::make_shared<SessionEvents>(bus, registry, io.get_executor());

  void open(const std::string& id) { registry.live[id] = std::make_shared<FakeSession>(id); }
};

TEST_F(SessionEventsTest, LoginIsAddedOnceWithItsFieldsAndNoTopLevelId) {
  open("a");
  events->logged_in("a", {{"id", "a"}, {"credentials", "LOGIN_PASSWORD"}});
  events->logged_in("a", {{"id", "a"}, {"credentials", "API_KEY"}});  // a second login on the connection
  ASSERT_EQ(bus.events.size(), 1u);
  EXPECT_EQ(bus.events[0].kind, EventKind::Added);
  EXPECT_TRUE(bus.events[0].id.is_null());
  EXPECT_EQ(bus.events[0].fields->at("credentials"), "LOGIN_PASSWORD");
}

TEST_F(SessionEventsTest, LogoutIsRemovedOnceAndUnannouncedSessionsAreSilent) {
  open("a");
  events->logged_in("a", {{"id", "a"}});
  events->ended("a");
  events->ended("a");
  events->ended("never-announced");
  ASSERT_EQ(bus.events.size(), 2u);
  EXPECT_EQ(bus.events[1].kind, EventKind::Removed);
  EXPECT_EQ(bus.events[1].id, "a");
}

TEST_F(SessionEventsTest, SweepRemovesClosedAndLoggedOutConnectionsOnly) {
  for (const char* id : {"closed", "logged-out", "alive"}) {
    open(id);
    events->logged_in(id, {{"id", id}});
  }
  registry.live.erase("closed");
  registry.live["logged-out"]->set_credentials(nullptr);
  EXPECT_EQ(events->sweep(), 2u);
  EXPECT_EQ(events->sweep(), 0u);
  std::vector<json::value> removed;
  for (const auto& e : bus.events)
    if (e.kind == EventKind::Removed) removed.push_back(e.id);
  EXPECT_EQ(removed, (std::vector<json::value>{"closed", "logged-out"}));
}

TEST_F(SessionEventsTest, TheTimerSweepsAClosedConnection) {
  open("a");
  events->logged_in("a", {{"id", "a"}});
  registry.live.clear();
  // Runs the armed one-second timer: its sweep sends REMOVED and, nothing being left, it stops.
  io.run();
  ASSERT_EQ(bus.events.size(), 2u);
  EXPECT_EQ(bus.events[1].kind, EventKind::Removed);
}

}  // namespace
}  // namespace mw::plugins::auth
