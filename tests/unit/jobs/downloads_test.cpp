// The download pipe and the /_download registry (core.download), without a server: the writer
// waits for its reader and gives up when none comes, tokens are single-use, bound to the job and
// to a TCP caller's address, and each download is served once.
#include <gtest/gtest.h>

#include <future>
#include <thread>

#include <middlewared/errors.hpp>

#include "downloads/downloads.hpp"

namespace mw::downloads {
namespace {

using namespace std::chrono_literals;
using Clock = DownloadPipe::Clock;

// Reads a pipe to its end, as the server does, and returns the bytes.
std::string drain(DownloadPipe& pipe) {
  std::string out;
  for (;;) {
    std::promise<std::pair<std::string, bool>> got;
    pipe.read([&](std::string piece, bool end) { got.set_value({std::move(piece), end}); });
    auto [piece, end] = got.get_future().get();
    if (end) return out;
    EXPECT_FALSE(piece.empty());
    out += piece;
  }
}

TEST(DownloadPipe, UnbufferedWriterWaitsForTheReaderAndTheReaderGetsEverything) {
  DownloadPipe pipe(false, Clock::now() + 10s, {.window = 4, .buffered_max = 100, .piece_max = 3});
  auto writer = std::async(std::launch::async, [&] {
    pipe.write("hello, ");
    pipe.write("world");
    pipe.close();
  });
  EXPECT_EQ(writer.wait_for(100ms), std::future_status::timeout) << "the window is full: the writer waits";
  ASSERT_TRUE(pipe.attach());
  EXPECT_EQ(drain(pipe), "hello, world");
  writer.get();
  EXPECT_FALSE(pipe.attach()) << "one reader only";
}

TEST(DownloadPipe, WriterGivesUpWhenNobodyFetchesInTime) {
  DownloadPipe pipe(false, Clock::now() + 200ms, {.window = 4, .buffered_max = 100, .piece_max = 3});
  const auto started = Clock::now();
  try {
    pipe.write("more than the window");
    FAIL() << "the write must fail";
  } catch (const CallError& e) {
    EXPECT_EQ(e.errnum(), EPIPE);
  }
  EXPECT_LT(Clock::now() - started, 5s);
  EXPECT_TRUE(pipe.abandoned());
  EXPECT_FALSE(pipe.attach()) << "too late for a reader";
}

TEST(DownloadPipe, ReaderGoingAwayReleasesTheWriter) {
  DownloadPipe pipe(false, Clock::now() + 10s, {.window = 2, .buffered_max = 100, .piece_max = 2});
  ASSERT_TRUE(pipe.attach());
  auto writer = std::async(std::launch::async, [&] { pipe.write("abcdefgh"); });
  std::this_thread::sleep_for(50ms);
  pipe.cancel();
  EXPECT_THROW(writer.get(), CallError);
}

TEST(DownloadPipe, BufferedKeepsEverythingUntilFetchedAndHasACeiling) {
  DownloadPipe pipe(true, Clock::now() + 10s, {.window = 2, .buffered_max = 10, .piece_max = 4});
  pipe.write("0123456789");  // never waits
  try {
    pipe.write("x");
    FAIL() << "beyond the ceiling";
  } catch (const CallError& e) {
    EXPECT_EQ(e.errnum(), EFBIG);
  }
  pipe.close();
  ASSERT_TRUE(pipe.attach());
  EXPECT_EQ(drain(pipe), "0123456789");
}

HttpRequest get(std::string target, PeerInfo peer = {}) {
  HttpRequest r;
  r.method = "GET";
  auto q = target.find('?');
  r.path = target.substr(0, q);
  if (q != std::string::npos) r.query = target.substr(q + 1);
  r.peer = std::move(peer);
  return r;
}

PeerInfo tcp_peer(std::string address) {
  PeerInfo p;
  p.transport = PeerInfo::Transport::Tcp;
  p.remote_address = std::move(address);
  return p;
}

TEST(Downloads, ServesAPipeOnceWithItsFileName) {
  Downloads d;
  auto pipe = d.make_pipe(true);
  std::string url = d.register_pipe(7, pipe, "vm \"one\".log", nullptr);
  ASSERT_EQ(url.rfind("/_download/7?auth_token=", 0), 0u) << url;
  pipe->write("log bytes");
  pipe->close();
  auto exists = [](int) { return true; };
  auto reply = d.serve(get(url), exists);
  EXPECT_EQ(reply.status, 200);
  ASSERT_TRUE(reply.stream);
  EXPECT_EQ(drain(*pipe), "log bytes");
  ASSERT_EQ(reply.headers.size(), 1u);
  EXPECT_EQ(reply.headers[0].second, "attachment; filename=\"vm one.log\"");
  EXPECT_EQ(d.serve(get(url), exists).status, 401) << "the token is single-use";
}

TEST(Downloads, RefusesWrongTokensPathsJobsAndAddresses) {
  Downloads d;
  auto exists = [](int id) { return id != 9; };
  EXPECT_EQ(d.serve(get("/_download/x"), exists).status, 404);
  EXPECT_EQ(d.serve(get("/_download/7"), exists).status, 401);
  EXPECT_EQ(d.serve(get("/_download/7?auth_token=nope"), exists).status, 401);

  std::string url = d.register_pipe(7, d.make_pipe(false), "f", nullptr);
  std::string other_job = "/_download/8" + url.substr(url.find('?'));
  EXPECT_EQ(d.serve(get(other_job), exists).status, 401) << "a token is for one job";
  EXPECT_EQ(d.serve(get(url), exists).status, 200) << "a refusal for another job does not use it up";

  // A TCP caller's URL works only from its own address.
  const PeerInfo caller = tcp_peer("10.0.0.1");
  std::string bound = d.add_file(3, "/nonexistent", "f", &caller);
  EXPECT_EQ(d.serve(get(bound, tcp_peer("10.0.0.2")), exists).status, 401);
  bound = d.add_file(3, "/nonexistent", "f", &caller);
  auto reply = d.serve(get(bound, tcp_peer("10.0.0.1")), exists);
  EXPECT_EQ(reply.status, 200);
  EXPECT_FALSE(reply.file) << "a missing file is an empty body";

  std::string gone = d.add_file(9, "/nonexistent", "f", nullptr);
  EXPECT_EQ(d.serve(get(gone), exists).status, 404) << "the job is no longer known";
}

TEST(Downloads, AnAbandonedPipeIsGone) {
  Downloads d({.token = 300s, .unbuffered = 0s, .buffered = 3600s});
  std::string url = d.register_pipe(4, d.make_pipe(false), "f", nullptr);
  EXPECT_EQ(d.serve(get(url), [](int) { return true; }).status, 410);
}

}  // namespace
}  // namespace mw::downloads
