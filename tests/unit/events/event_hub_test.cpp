#include <gtest/gtest.h>

#include <middlewared/errors.hpp>

#include "events/event_hub.hpp"
#include "support/recording_connection.hpp"

namespace mw::events {
namespace {

using test::make_credentials;
using test::RecordingConnection;

class EventHubTest : public ::testing::Test {
 protected:
  EventHubTest() { hub.add_source({"vm.query", "", {"VM_READ"}, {"VM_WRITE"}}); }
  std::shared_ptr<RecordingConnection> connect(std::string user, std::set<std::string, std::less<>> roles) {
    auto c = std::make_shared<RecordingConnection>(hub, make_credentials(std::move(user), std::move(roles)));
    hub.attach(c);
    return c;
  }
  EventHub hub;
};

TEST_F(EventHubTest, DeliversOnlyToSubscribers) {
  auto a = connect("a", {"VM_READ"});
  auto b = connect("b", {"VM_READ"});
  a->subscribe("vm.query");
  hub.publish("vm.query", EventKind::Added, 1, json::object{{"name", "x"}});
  ASSERT_EQ(a->count(), 1u);
  EXPECT_EQ(b->count(), 0u);
  auto m = a->messages().front();
  EXPECT_EQ(m.at("method"), "collection_update");
  EXPECT_EQ(m.at("params"),
            (json::object{{"msg", "added"}, {"collection", "vm.query"}, {"id", 1}, {"fields", {{"name", "x"}}}}));
  EXPECT_FALSE(m.contains("id"));
}

TEST_F(EventHubTest, RemovedEventsCarryTheirFieldsOnlyUnderExtra) {
  auto a = connect("a", {"VM_READ"});
  a->subscribe("vm.query");
  hub.publish("vm.query", EventKind::Removed, 3);
  hub.publish("vm.query", EventKind::Removed, 4, json::object{{"name", "x"}});
  EXPECT_EQ(a->messages().at(0).at("params"),
            (json::object{{"msg", "removed"}, {"collection", "vm.query"}, {"id", 3}}));
  EXPECT_EQ(a->messages().at(1).at("params"),
            (json::object{{"msg", "removed"},
                          {"collection", "vm.query"},
                          {"id", 4},
                          {"extra", json::object{{"fields", json::object{{"name", "x"}}}}}}));
}

TEST_F(EventHubTest, SecretsAreRedactedForReadersWithoutWriteRole) {
  auto reader = connect("r", {"VM_READ"});
  auto writer = connect("w", {"VM_READ", "VM_WRITE"});
  reader->subscribe("vm.query");
  writer->subscribe("vm.query");
  hub.publish("vm.query", EventKind::Changed, 1, json::object{{"password", "pw"}},
              json::object{{"password", "********"}});
  EXPECT_EQ(reader->messages().front().at("params").at("fields").at("password"), "********");
  EXPECT_EQ(writer->messages().front().at("params").at("fields").at("password"), "pw");
}

TEST_F(EventHubTest, SubscribingNeedsTheSourceRole) {
  auto nobody = connect("n", {"OTHER_ROLE"});
  try {
    nobody->subscribe("vm.query");
    ADD_FAILURE() << "subscribe was allowed";
  } catch (const CallError& e) {
    EXPECT_EQ(e.errnum(), EACCES);
    EXPECT_EQ(e.message(), "Not authorized");
  }
}

TEST_F(EventHubTest, WildcardNeedsFullAdmin) {
  auto reader = connect("r", {"VM_READ"});
  EXPECT_THROW(reader->subscribe("*"), CallError);
  auto admin = connect("root", {kFullAdmin});
  admin->subscribe("*");
  hub.publish("vm.query", EventKind::Added, 1, json::object{});
  EXPECT_EQ(admin->count(), 1u);
}

TEST_F(EventHubTest, UnknownEventIsRefused) {
  auto admin = connect("root", {kFullAdmin});
  EXPECT_THROW(admin->subscribe("no.such.event"), CallError);
}

TEST_F(EventHubTest, UnsubscribeStopsDelivery) {
  auto a = connect("a", {"VM_READ"});
  auto id = a->subscribe("vm.query");
  a->unsubscribe(id);
  hub.publish("vm.query", EventKind::Added, 1, json::object{});
  EXPECT_EQ(a->count(), 0u);
}

// Sources that cost something to produce (vm.stats) ask before producing.
TEST_F(EventHubTest, HasSubscribersFollowsSubscribeAndUnsubscribe) {
  EXPECT_FALSE(hub.has_subscribers("vm.query"));
  auto a = connect("a", {"VM_READ"});
  EXPECT_FALSE(hub.has_subscribers("vm.query"));
  auto id = a->subscribe("vm.query");
  EXPECT_TRUE(hub.has_subscribers("vm.query"));
  EXPECT_FALSE(hub.has_subscribers("core.get_jobs"));
  a->unsubscribe(id);
  EXPECT_FALSE(hub.has_subscribers("vm.query"));
  a->subscribe("vm.query");
  hub.detach(a.get());
  EXPECT_FALSE(hub.has_subscribers("vm.query"));
}

TEST_F(EventHubTest, JobEventsReachOnlyOwnerAndFullAdmins) {
  hub.add_source({"core.get_jobs", "", {}, {}});
  auto owner = connect("alice", {"VM_READ"});
  auto other = connect("bob", {"VM_READ"});
  auto admin = connect("root", {kFullAdmin});
  for (auto& c : {owner, other, admin}) c->subscribe("core.get_jobs");
  hub.publish_job(EventKind::Added, 7, json::object{{"id", 7}}, "alice");
  EXPECT_EQ(owner->count(), 1u);
  EXPECT_EQ(other->count(), 0u);
  EXPECT_EQ(admin->count(), 1u);
}

TEST_F(EventHubTest, DetachedConnectionsReceiveNothing) {
  auto a = connect("a", {"VM_READ"});
  a->subscribe("vm.query");
  hub.detach(a.get());
  hub.publish("vm.query", EventKind::Added, 1, json::object{});
  EXPECT_EQ(a->count(), 0u);
  EXPECT_EQ(hub.connection_count(), 0u);
}

}  // namespace
}  // namespace mw::events
