// FrameGate over a real socket pair: what is written directly, what is queued for the I/O thread,
// and that nothing ever lands inside a frame of Beast's or after a close.
#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <string>

#include <gtest/gtest.h>

#include "server/frame_gate.hpp"

namespace mw::server {
namespace {

using Offer = FrameGate::Offer;

FrameGate::Frame text(std::string s) { return std::make_shared<const std::string>(std::move(s)); }
// A streamed answer: the gate only orders it, the I/O thread writes it.
FrameGate::Stream stream() { return std::make_shared<session::StreamedAnswer>("head", nullptr, "tail"); }

class FrameGateTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_EQ(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, fds_), 0); }
  void TearDown() override {
    for (int fd : fds_)
      if (fd >= 0) ::close(fd);
  }
  int ours() const { return fds_[0]; }
  // Everything the peer can read right now.
  std::string peer_reads() {
    std::string out;
    char buf[65536];
    for (;;) {
      ssize_t n = ::read(fds_[1], buf, sizeof buf);
      if (n <= 0) break;
      out.append(buf, static_cast<std::size_t>(n));
    }
    return out;
  }
  // What is left to write of a partly sent frame, header and payload together.
  std::string remainder_text() const {
    auto rest = gate_.remainder();
    return std::string(rest.header) + std::string(rest.payload);
  }
  // Beast starts writing a ping (2 bytes); the write ends with gate_.beast_write_ends(2).
  void beast_starts_a_ping() {
    static const unsigned char ping[] = {0x89, 0x00};
    DeferredWrite unused;
    ASSERT_TRUE(gate_.beast_write_begins(unused, ping, sizeof ping));
  }
  // Fills the socket to the brim from the outside.
  void fill_socket() {
    std::string chunk(65536, 'f');
    while (::send(ours(), chunk.data(), chunk.size(), MSG_DONTWAIT) > 0) {
    }
  }
  static std::string frame(const std::string& payload) {
    unsigned char header[10];
    std::size_t n = text_frame_header(payload.size(), header);
    return std::string(reinterpret_cast<char*>(header), n) + payload;
  }
  int fds_[2] = {-1, -1};
  FrameGate gate_{FrameGate::Limits{100, 1u << 30}};
};

TEST(TextFrameHeader, EncodesTheThreeLengthForms) {
  unsigned char h[10];
  ASSERT_EQ(text_frame_header(0, h), 2u);
  EXPECT_EQ(h[0], 0x81);
  EXPECT_EQ(h[1], 0);
  ASSERT_EQ(text_frame_header(125, h), 2u);
  EXPECT_EQ(h[1], 125);
  ASSERT_EQ(text_frame_header(126, h), 4u);
  EXPECT_EQ(h[1], 126);
  EXPECT_EQ(h[2], 0);
  EXPECT_EQ(h[3], 126);
  ASSERT_EQ(text_frame_header(65535, h), 4u);
  EXPECT_EQ(h[2], 0xff);
  EXPECT_EQ(h[3], 0xff);
  ASSERT_EQ(text_frame_header(65536, h), 10u);
  EXPECT_EQ(h[1], 127);
  EXPECT_EQ(h[7], 1);  // 0x00 00 00 00 00 01 00 00
  EXPECT_EQ(h[8], 0);
  EXPECT_EQ(h[9], 0);
}

TEST_F(FrameGateTest, IdleGateWritesAWholeFrameFromTheCallingThread) {
  gate_.open(ours());
  EXPECT_EQ(gate_.offer(text("hello")), Offer::Sent);
  EXPECT_EQ(peer_reads(), frame("hello"));
  EXPECT_EQ(gate_.queued_frames(), 0u);
}

TEST_F(FrameGateTest, BeforeTheHandshakeEverythingIsQueuedForTheIoThread) {
  EXPECT_EQ(gate_.offer(text("a")), Offer::Start);
  EXPECT_EQ(gate_.offer(text("b")), Offer::Queued);  // the I/O thread is already told
  EXPECT_EQ(peer_reads(), "");
  EXPECT_EQ(gate_.queued_frames(), 2u);
}

TEST_F(FrameGateTest, FramesQueueWhileTheIoThreadWritesAndGoDirectAgainAfter) {
  EXPECT_EQ(gate_.offer(text("first")), Offer::Start);
  gate_.open(ours());
  EXPECT_EQ(gate_.offer(text("second")), Offer::Queued);  // never overtakes the queue
  ASSERT_EQ(*gate_.next_frame().frame, "first");
  gate_.frame_written();
  ASSERT_EQ(*gate_.next_frame().frame, "second");
  gate_.frame_written();
  EXPECT_EQ(gate_.next_frame().frame, nullptr);  // the I/O thread stops writing
  EXPECT_EQ(gate_.offer(text("third")), Offer::Sent);
  EXPECT_EQ(peer_reads(), frame("third"));
}

TEST_F(FrameGateTest, WritesThroughItsOwnDuplicateOfTheDescriptor) {
  gate_.open(ours());
  ::close(fds_[0]);  // what a Beast timeout does to its descriptor
  fds_[0] = -1;
  EXPECT_EQ(gate_.offer(text("still here")), Offer::Sent);
  EXPECT_EQ(peer_reads(), frame("still here"));
  gate_.close_direct_writes();
  char c;
  EXPECT_EQ(::read(fds_[1], &c, 1), 0) << "the socket closes with the gate's duplicate";
}

TEST_F(FrameGateTest, NothingIsWrittenInsideAFrameOfBeasts) {
  gate_.open(ours());
  // A pong of 4 payload bytes (6 in all) that the socket takes in two pieces.
  const unsigned char pong[] = {0x8a, 0x04, 'p', 'i', 'n', 'g'};
  DeferredWrite unused;
  ASSERT_TRUE(gate_.beast_write_begins(unused, pong, sizeof pong));
  gate_.beast_write_ends(3);
  EXPECT_EQ(gate_.offer(text("answer")), Offer::Start) << "3 bytes of the pong are still to come";
  ASSERT_TRUE(gate_.beast_write_begins(unused, pong + 3, 3));
  gate_.beast_write_ends(3);
  ASSERT_EQ(*gate_.next_frame().frame, "answer");  // the I/O thread writes what queued meanwhile
  gate_.frame_written();
  EXPECT_EQ(gate_.next_frame().frame, nullptr);
  EXPECT_EQ(gate_.offer(text("next")), Offer::Sent);
}

TEST_F(FrameGateTest, ABeastWriteInFlightHoldsDirectWrites) {
  gate_.open(ours());
  beast_starts_a_ping();
  EXPECT_EQ(gate_.offer(text("x")), Offer::Start);
  gate_.beast_write_ends(2);
}

TEST_F(FrameGateTest, AfterBeastsCloseFrameNothingMoreIsSent) {
  gate_.open(ours());
  const unsigned char close[] = {0x88, 0x02, 0x03, 0xe8};
  DeferredWrite unused;
  ASSERT_TRUE(gate_.beast_write_begins(unused, close, sizeof close));
  gate_.beast_write_ends(4);
  EXPECT_EQ(gate_.offer(text("late")), Offer::Closed);
  EXPECT_EQ(peer_reads(), "");
}

TEST_F(FrameGateTest, ClosedGateDropsFrames) {
  gate_.open(ours());
  gate_.close_direct_writes();
  EXPECT_EQ(gate_.offer(text("late")), Offer::Closed);
  EXPECT_EQ(gate_.offer_stream(stream()), Offer::Closed);
  EXPECT_EQ(gate_.queued_frames(), 0u);
}

TEST_F(FrameGateTest, PartialWriteLeavesTheRestFirstAndHoldsBeastMeanwhile) {
  gate_.open(ours());
  const std::string big(4u << 20, 'x');  // far more than a socket buffer
  ASSERT_EQ(gate_.offer(text(big)), Offer::Partial);
  std::string got = peer_reads();
  const std::string rest = remainder_text();
  EXPECT_EQ(got.size() + rest.size(), frame(big).size());
  EXPECT_EQ(got + rest, frame(big));

  EXPECT_EQ(gate_.offer(text("behind")), Offer::Queued) << "queued behind the remainder";
  bool ran = false;
  DeferredWrite pong([&] { ran = true; });
  const unsigned char head[] = {0x8a, 0x00};
  EXPECT_FALSE(gate_.beast_write_begins(pong, head, sizeof head)) << "Beast must wait for the remainder";
  bool write_queue = false;
  DeferredWrite held = gate_.remainder_written(write_queue);
  ASSERT_TRUE(held);
  held();
  EXPECT_TRUE(ran);
  EXPECT_TRUE(write_queue) << "the frame behind the remainder is the caller's to write";
  EXPECT_EQ(gate_.offer(text("later")), Offer::Queued) << "no second writer may start";
  EXPECT_EQ(*gate_.next_frame().frame, "behind");
  gate_.frame_written();
  EXPECT_EQ(*gate_.next_frame().frame, "later");
  gate_.frame_written();
  EXPECT_EQ(gate_.next_frame().frame, nullptr);
  EXPECT_EQ(gate_.offer(text("blocked by the pong")), Offer::Start) << "the held pong is on the socket";
  gate_.beast_write_ends(2);
  ASSERT_EQ(*gate_.next_frame().frame, "blocked by the pong");
  gate_.frame_written();
  EXPECT_EQ(gate_.next_frame().frame, nullptr);
  peer_reads();
  EXPECT_EQ(gate_.offer(text("direct again")), Offer::Sent) << "everything is accounted for";
}

TEST_F(FrameGateTest, RemainderWithNothingBehindLeavesTheGateIdle) {
  gate_.open(ours());
  ASSERT_EQ(gate_.offer(text(std::string(4u << 20, 'y'))), Offer::Partial);
  peer_reads();
  bool write_queue = true;
  EXPECT_FALSE(gate_.remainder_written(write_queue));
  EXPECT_FALSE(write_queue);
  EXPECT_EQ(gate_.offer(text("direct again")), Offer::Sent);
}

TEST_F(FrameGateTest, SocketFullQueuesInsteadOfBlocking) {
  gate_.open(ours());
  fill_socket();
  EXPECT_EQ(gate_.offer(text("waits")), Offer::Start);
}

TEST_F(FrameGateTest, QueueLimitsReportOverflow) {
  FrameGate small(FrameGate::Limits{2, 1u << 20});
  EXPECT_EQ(small.offer(text("1")), Offer::Start);
  EXPECT_EQ(small.offer(text("2")), Offer::Queued);
  EXPECT_EQ(small.offer(text("3")), Offer::Overflow);
  EXPECT_EQ(small.offer(text("4")), Offer::Closed) << "the connection is going: nothing more piles up";
  EXPECT_EQ(small.queued_frames(), 3u);
}

TEST_F(FrameGateTest, HeldFramesLeaveTogetherAtTheFlushInTheOrderHeld) {
  gate_.open(ours());
  EXPECT_EQ(gate_.hold(text("one")), Offer::Held);
  EXPECT_EQ(gate_.hold(text("two")), Offer::Held);
  EXPECT_EQ(peer_reads(), "") << "nothing leaves before the flush";
  EXPECT_EQ(gate_.flush(), Offer::Sent);
  EXPECT_EQ(peer_reads(), frame("one") + frame("two"));
  EXPECT_EQ(gate_.flush(), Offer::Sent) << "nothing held: nothing to do";
  EXPECT_EQ(peer_reads(), "");
}

TEST_F(FrameGateTest, AnOfferFromAnotherThreadTakesTheHeldFramesAlongFirst) {
  gate_.open(ours());
  ASSERT_EQ(gate_.hold(text("held")), Offer::Held);
  EXPECT_EQ(gate_.offer(text("offered")), Offer::Sent);
  EXPECT_EQ(peer_reads(), frame("held") + frame("offered"));
  EXPECT_EQ(gate_.flush(), Offer::Sent);
  EXPECT_EQ(peer_reads(), "");
}

TEST_F(FrameGateTest, HoldingWhileTheQueueIsInUseQueuesBehindIt) {
  EXPECT_EQ(gate_.offer(text("first")), Offer::Start);
  gate_.open(ours());
  EXPECT_EQ(gate_.hold(text("second")), Offer::Queued);
  EXPECT_EQ(gate_.flush(), Offer::Sent);
  EXPECT_EQ(peer_reads(), "");
  ASSERT_EQ(*gate_.next_frame().frame, "first");
  gate_.frame_written();
  ASSERT_EQ(*gate_.next_frame().frame, "second");
  gate_.frame_written();
  EXPECT_EQ(gate_.next_frame().frame, nullptr);
}

TEST_F(FrameGateTest, HeldFramesQueueWhenBeastStartedWritingMeanwhile) {
  gate_.open(ours());
  ASSERT_EQ(gate_.hold(text("held")), Offer::Held);
  beast_starts_a_ping();
  EXPECT_EQ(gate_.flush(), Offer::Start);
  gate_.beast_write_ends(2);
  ASSERT_EQ(*gate_.next_frame().frame, "held");
  gate_.frame_written();
  EXPECT_EQ(gate_.next_frame().frame, nullptr);
}

TEST_F(FrameGateTest, ManyHeldFramesLeaveWithoutBeingAskedAndNoneIsLost) {
  gate_.open(ours());
  std::string expected;
  Offer last = Offer::Held;
  int held = 0;
  for (; last == Offer::Held; ++held) {
    std::string payload = "answer " + std::to_string(held);
    expected += frame(payload);
    last = gate_.hold(text(payload));
  }
  EXPECT_EQ(last, Offer::Sent) << "after " << held << " frames";
  EXPECT_GT(held, 64) << "more than one write's worth of frames";
  EXPECT_EQ(peer_reads(), expected);
}

// A large answer is most of what a partial write leaves: it is written from the frame itself.
TEST_F(FrameGateTest, RemainderIsTheOfferedFramesOwnBytesNotACopy) {
  gate_.open(ours());
  auto big = std::make_shared<const std::string>(4u << 20, 'y');
  ASSERT_EQ(gate_.offer(big), Offer::Partial);
  const auto rest = gate_.remainder();
  EXPECT_TRUE(rest.header.empty()) << "a socket takes at least a header's worth";
  ASSERT_FALSE(rest.payload.empty());
  EXPECT_EQ(rest.payload.data() + rest.payload.size(), big->data() + big->size());
  EXPECT_EQ(peer_reads().size() + rest.payload.size(), frame(*big).size());
  bool write_queue = false;
  gate_.remainder_written(write_queue);
  EXPECT_TRUE(gate_.remainder().payload.empty()) << "the frame is let go once its rest is out";
}

TEST_F(FrameGateTest, HeldFramesTheSocketTakesInPartLeaveARemainderAndQueueTheRest) {
  gate_.open(ours());
  const std::string big(4u << 20, 'z');
  ASSERT_EQ(gate_.hold(text("small")), Offer::Held);
  ASSERT_EQ(gate_.hold(text(big)), Offer::Partial) << "held bytes over the limit flush at once";
  EXPECT_EQ(gate_.hold(text("after")), Offer::Queued) << "behind the remainder";
  std::string got = peer_reads();
  const std::string rest = remainder_text();
  EXPECT_EQ(got + rest, frame("small") + frame(big));
  bool write_queue = false;
  EXPECT_FALSE(gate_.remainder_written(write_queue));
  EXPECT_TRUE(write_queue);
  EXPECT_EQ(*gate_.next_frame().frame, "after");
  gate_.frame_written();
  EXPECT_EQ(gate_.next_frame().frame, nullptr);
}

TEST_F(FrameGateTest, TheIoThreadWritesTheWholeQueueInOneGo) {
  EXPECT_EQ(gate_.offer(text("a")), Offer::Start);
  EXPECT_EQ(gate_.offer(text("b")), Offer::Queued);
  EXPECT_EQ(gate_.offer(text("c")), Offer::Queued);
  gate_.open(ours());
  EXPECT_EQ(gate_.write_queue(), Offer::Sent);
  EXPECT_EQ(peer_reads(), frame("a") + frame("b") + frame("c"));
  EXPECT_EQ(gate_.queued_frames(), 0u);
  EXPECT_EQ(gate_.offer(text("direct again")), Offer::Sent) << "the I/O thread stopped writing";
}

TEST_F(FrameGateTest, TheQueueWaitsForBeastsWriteAndAFullSocket) {
  gate_.open(ours());
  beast_starts_a_ping();
  ASSERT_EQ(gate_.offer(text("a")), Offer::Start);
  EXPECT_EQ(gate_.write_queue(), Offer::Start) << "Beast is writing";
  gate_.beast_write_ends(2);
  fill_socket();
  EXPECT_EQ(gate_.write_queue(), Offer::Start) << "the socket is full";
  ASSERT_EQ(*gate_.next_frame().frame, "a") << "still queued, for the usual way";
  gate_.frame_written();
  EXPECT_EQ(gate_.next_frame().frame, nullptr);
}

// A streamed answer leaves after the frames offered before it and before those offered after it;
// only the I/O thread writes it, so nothing goes direct until it is out.
TEST_F(FrameGateTest, AStreamedAnswerKeepsItsPlaceAndHoldsDirectWritesUntilItIsOut) {
  gate_.open(ours());
  ASSERT_EQ(gate_.hold(text("before")), Offer::Held);
  const auto answer = stream();
  EXPECT_EQ(gate_.offer_stream(answer), Offer::Start);
  EXPECT_EQ(peer_reads(), frame("before")) << "the held frame left first, directly";
  EXPECT_EQ(gate_.offer(text("after")), Offer::Queued) << "never overtakes the stream";
  EXPECT_EQ(gate_.hold(text("held after")), Offer::Queued);
  EXPECT_EQ(peer_reads(), "");
  EXPECT_EQ(gate_.write_queue(), Offer::Start) << "a stream is next: the I/O thread writes it";
  EXPECT_EQ(gate_.next_frame().stream, answer);
  gate_.frame_written();
  EXPECT_EQ(gate_.write_queue(), Offer::Sent);
  EXPECT_EQ(peer_reads(), frame("after") + frame("held after"));
  EXPECT_EQ(gate_.offer(text("direct again")), Offer::Sent);
}

// The I/O thread writes the frames queued before a stream at once, and keeps the queue for it.
TEST_F(FrameGateTest, WritingTheQueueStopsAtAStreamedAnswer) {
  EXPECT_EQ(gate_.offer(text("a")), Offer::Start);
  const auto answer = stream();
  EXPECT_EQ(gate_.offer_stream(answer), Offer::Queued);
  EXPECT_EQ(gate_.offer(text("b")), Offer::Queued);
  gate_.open(ours());
  EXPECT_EQ(gate_.write_queue(), Offer::Start);
  EXPECT_EQ(peer_reads(), frame("a"));
  EXPECT_EQ(gate_.queued_frames(), 2u);
  EXPECT_EQ(gate_.queued_bytes(), 1u + ResultText::kStreamFrom) << "a stream counts as the least a stream is";
  const auto next = gate_.next_frame();
  EXPECT_EQ(next.stream, answer);
  EXPECT_EQ(next.frame, nullptr);
  gate_.frame_written();
  ASSERT_EQ(*gate_.next_frame().frame, "b");
  gate_.frame_written();
  EXPECT_EQ(gate_.next_frame().stream, nullptr);
}

// A client that asks for large answers and reads none is dropped, streamed or not: each queued
// stream counts as the least a streamed answer is.
TEST_F(FrameGateTest, QueueLimitsCountEachStreamedAnswer) {
  FrameGate gate{FrameGate::Limits{100, 3 * ResultText::kStreamFrom}};
  EXPECT_EQ(gate.offer_stream(stream()), Offer::Start);
  EXPECT_EQ(gate.offer_stream(stream()), Offer::Queued);
  EXPECT_EQ(gate.offer_stream(stream()), Offer::Queued);
  EXPECT_EQ(gate.offer_stream(stream()), Offer::Overflow);
}

// Behind the rest of a partly written frame, a stream waits for that rest like any frame.
TEST_F(FrameGateTest, AStreamBehindARemainderWaitsForIt) {
  gate_.open(ours());
  ASSERT_EQ(gate_.offer(text(std::string(4u << 20, 'r'))), Offer::Partial);
  const auto answer = stream();
  EXPECT_EQ(gate_.offer_stream(answer), Offer::Queued) << "the remainder's end starts the queue";
  bool write_queue = false;
  gate_.remainder_written(write_queue);
  EXPECT_TRUE(write_queue);
  EXPECT_EQ(gate_.write_queue(), Offer::Start);
  EXPECT_EQ(gate_.next_frame().stream, answer);
}

TEST_F(FrameGateTest, ClosingDropsHeldFrames) {
  gate_.open(ours());
  ASSERT_EQ(gate_.hold(text("held")), Offer::Held);
  gate_.close_direct_writes();
  EXPECT_EQ(gate_.flush(), Offer::Sent) << "nothing is held any more";
  EXPECT_EQ(gate_.hold(text("late")), Offer::Closed);
  EXPECT_EQ(peer_reads(), "");
}

TEST_F(FrameGateTest, PeerGoneFailsOnceThenDrops) {
  gate_.open(ours());
  ::close(fds_[1]);
  fds_[1] = -1;
  EXPECT_EQ(gate_.offer(text("nobody")), Offer::Failed);
  EXPECT_EQ(gate_.offer(text("again")), Offer::Closed);
}

}  // namespace
}  // namespace mw::server
