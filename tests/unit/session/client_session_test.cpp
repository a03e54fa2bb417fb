// The session package on its own: credentials, options, subscriptions and call slots of one
// connection, with a transport and a subscription policy made up here.
#include <gtest/gtest.h>

#include <functional>
#include <vector>

#include <middlewared/errors.hpp>

#include "session/client_session.hpp"
#include "session/peer_address.hpp"

namespace mw::session {
namespace {

struct Policy final : SubscriptionPolicy {
  void check_subscribe(const std::string& name, const Credentials* caller) const override {
    if (!caller) throw CallError("Not authenticated", ENOTAUTHENTICATED);
    if (name == "secret") throw CallError("Not authorized", EACCES);
  }
};

struct Session final : ClientSession {
  using ClientSession::ClientSession;
  bool send(std::shared_ptr<const std::string> frame) override {
    sent.push_back(*frame);
    return true;
  }
  void close(int code, std::string) override { closed = code; }
  std::vector<std::string> sent;
  int closed = 0;
};

std::shared_ptr<const Credentials> root() {
  auto c = std::make_shared<Credentials>();
  c->username = "root";
  c->roles = {kFullAdmin};
  return c;
}

class ClientSessionTest : public ::testing::Test {
 protected:
  Policy policy;
  std::shared_ptr<Session> s =
      std::make_shared<Session>(PeerInfo{PeerInfo::Transport::Unix}, policy, WireFormat::JsonRpc, 2);
};

TEST_F(ClientSessionTest, SubscriptionsAreCheckedByThePolicyCappedAndDroppedAtLogout) {
  EXPECT_THROW(s->subscribe("vm.query"), CallError);  // not logged in
  s->set_credentials(root());
  EXPECT_THROW(s->subscribe("secret"), CallError);
  s->subscribe("vm.query");
  s->subscribe_with_id("mine", "*");
  EXPECT_TRUE(s->subscribed_to("anything"));
  EXPECT_THROW(s->subscribe("core.get_jobs"), CallError);  // the cap is 2
  s->subscribe_with_id("mine", "vm.query");                // re-using an id replaces it
  EXPECT_FALSE(s->subscribed_to("core.get_jobs"));
  s->set_credentials(nullptr);
  EXPECT_EQ(s->subscription_count(), 0u);
}

TEST_F(ClientSessionTest, CallSlotsAdmitTwentyRunTenAndCallsThatRanInlineTakeNoRunningSlot) {
  for (int i = 0; i < ClientSession::kMaxInFlight; ++i) ASSERT_TRUE(s->try_admit());
  EXPECT_FALSE(s->try_admit());
  int ran = 0;
  for (int i = 0; i < ClientSession::kMaxInFlight - 1; ++i) s->run_when_slot_free([&] { ++ran; });
  EXPECT_EQ(ran, ClientSession::kMaxRunning);  // the rest wait for a running slot
  s->finish_inline_call();                     // the twentieth ran where its frame was read
  EXPECT_TRUE(s->try_admit());
  s->finish_call();  // one running call ends: a waiting one starts
  EXPECT_EQ(ran, ClientSession::kMaxRunning + 1);
}

TEST_F(ClientSessionTest, OptionsAndTheLegacyFormatsJobAnswers) {
  EXPECT_TRUE(s->legacy_jobs());
  auto all = s->set_options(json::object{{"legacy_jobs", false}, {"unknown", 1}});
  EXPECT_EQ(all.at("legacy_jobs"), false);
  EXPECT_FALSE(s->legacy_jobs());
  Session legacy(PeerInfo{}, policy, WireFormat::Legacy);
  legacy.set_options(json::object{{"legacy_jobs", false}});
  EXPECT_TRUE(legacy.legacy_jobs());  // the legacy protocol always answers job ids
}

TEST(PeerAddress, LoopbackAddressesAreRecognised) {
  EXPECT_TRUE(is_loopback_address("127.0.0.1"));
  EXPECT_TRUE(is_loopback_address("127.8.9.10"));
  EXPECT_TRUE(is_loopback_address("::1"));
  EXPECT_TRUE(is_loopback_address("::ffff:127.0.0.1"));
  EXPECT_FALSE(is_loopback_address("10.0.0.1"));
  EXPECT_FALSE(is_loopback_address("not an address"));
}

}  // namespace
}  // namespace mw::session
