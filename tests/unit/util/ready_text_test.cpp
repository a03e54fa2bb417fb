// util::ReadyText: built on first need, kept, the same for every thread that raced to build it.
#include <mw/util/ready_text.hpp>

#include <atomic>
#include <barrier>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

namespace mw::util {
namespace {

TEST(ReadyText, IsBuiltOnFirstNeedAndThenKept) {
  ReadyText text;
  EXPECT_TRUE(text.if_built().empty());
  int builds = 0;
  const auto build = [&](std::string& out) {
    ++builds;
    out += "{\"id\":1}";
  };
  const std::string_view first = text.get(build);
  EXPECT_EQ(first, "{\"id\":1}");
  EXPECT_EQ(builds, 1);
  const std::string_view again = text.get(build);
  EXPECT_EQ(builds, 1) << "a built text is not built again";
  EXPECT_EQ(again.data(), first.data()) << "and stays where it was";
  EXPECT_EQ(text.if_built().data(), first.data());
}

TEST(ReadyText, BuildsOntoAnEmptyBufferEvenAfterAnotherTextUsedIt) {
  ReadyText a, b;
  EXPECT_EQ(a.get([](std::string& out) { out += std::string(300, 'a'); }), std::string(300, 'a'));
  EXPECT_EQ(b.get([](std::string& out) { out += "b"; }), "b");
  ReadyText empty;
  EXPECT_EQ(empty.get([](std::string&) {}), "");
  EXPECT_EQ(empty.get([](std::string& out) { out += "later"; }), "") << "an empty text is a text";
}

TEST(ReadyText, ThreadsRacingToBuildItAllReadTheOneKept) {
  constexpr int kThreads = 8;
  const std::string expected = "a text long enough to be built in more than one step: " + std::string(200, 'x');
  for (int round = 0; round < 50; ++round) {
    ReadyText text;
    std::barrier start(kThreads);
    std::atomic<int> builds{0};
    std::vector<const char*> seen(kThreads);
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t)
      threads.emplace_back([&, t] {
        start.arrive_and_wait();
        const std::string_view got = text.get([&](std::string& out) {
          builds.fetch_add(1);
          out += "a text long enough to be built in more than one step: ";
          out += std::string(200, 'x');
        });
        EXPECT_EQ(got, expected);
        seen[t] = got.data();
      });
    for (auto& t : threads) t.join();
    EXPECT_GE(builds.load(), 1);
    for (const char* p : seen) EXPECT_EQ(p, seen[0]) << "round " << round << ": every thread reads the kept text";
  }
}

}  // namespace
}  // namespace mw::util
