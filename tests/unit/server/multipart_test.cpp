// The incremental multipart/form-data reader of POST /_upload and the bounded pipe between the
// network side and the job.
#include <gtest/gtest.h>

#include <thread>
#include <vector>

#include <middlewared/errors.hpp>

#include "server/multipart.hpp"
#include "server/upload_pipe.hpp"

namespace mw::server {
namespace {

struct Part {
  std::string name, body;
  bool complete = false;
};

// Feeds `body` in pieces of `step` bytes and collects the parts.
std::vector<Part> parse(const std::string& body, std::size_t step, bool* ok = nullptr, bool* done = nullptr) {
  std::vector<Part> parts;
  MultipartReader reader("XyZ");
  MultipartReader::Events ev{[&](const std::string& n) {
                               parts.push_back({n, "", false});
                             },
                             [&](std::string_view b) { parts.back().body.append(b); },
                             [&] { parts.back().complete = true; }};
  bool good = true;
  for (std::size_t at = 0; at < body.size() && good; at += step) good = reader.feed(body.substr(at, step), ev);
  if (ok) *ok = good;
  if (done) *done = reader.done();
  return parts;
}

const std::string kBody =
    "--XyZ\r\nContent-Disposition: form-data; name=\"data\"\r\n\r\n{\"method\": \"filesystem.put\"}\r\n"
    "--XyZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.iso\"\r\nContent-Type: "
    "application/octet-stream\r\n\r\n"
    "line one\r\n--XyNot a boundary\r\n--XyZ\r\n\r\n"  // a near-miss of the delimiter stays in the data
    "\r\n--XyZ--\r\nepilogue";                         // the last part has no headers and an empty body

TEST(Multipart, SplitsPartsWhateverTheChunkSize) {
  for (std::size_t step : {1u, 2u, 3u, 7u, 64u, 4096u}) {
    bool ok = false, done = false;
    auto parts = parse(kBody, step, &ok, &done);
    ASSERT_TRUE(ok) << step;
    EXPECT_TRUE(done) << step;
    ASSERT_EQ(parts.size(), 3u) << step;
    EXPECT_EQ(parts[0].name, "data");
    EXPECT_EQ(parts[0].body, "{\"method\": \"filesystem.put\"}");
    EXPECT_EQ(parts[1].name, "file");
    EXPECT_EQ(parts[1].body, "line one\r\n--XyNot a boundary");
    EXPECT_EQ(parts[2].name, "");  // no headers at all
    EXPECT_TRUE(parts[0].complete && parts[1].complete && parts[2].complete);
  }
}

TEST(Multipart, TruncatedBodyIsNotDoneAndKeepsOnlyAPossibleDelimiter) {
  const std::string cut = kBody.substr(0, kBody.find("line one") + 6);
  bool ok = false, done = true;
  auto parts = parse(cut, 5, &ok, &done);
  EXPECT_TRUE(ok);
  EXPECT_FALSE(done);
  ASSERT_EQ(parts.size(), 2u);
  EXPECT_FALSE(parts[1].complete);
  // What could still turn out to be the delimiter is held back; the rest was handed out.
  EXPECT_EQ(std::string("line o").rfind(parts[1].body, 0), 0u) << parts[1].body;
}

TEST(Multipart, MalformedDelimiterLineIsAnError) {
  bool ok = true;
  parse("--XyZ garbage\r\n\r\nx\r\n--XyZ--", 4, &ok);
  EXPECT_FALSE(ok);
}

TEST(Multipart, BoundaryComesFromTheContentType) {
  EXPECT_EQ(multipart_boundary("multipart/form-data; boundary=abc"), "abc");
  EXPECT_EQ(multipart_boundary("Multipart/Form-Data; charset=x; boundary=\"a b\""), "a b");
  EXPECT_FALSE(multipart_boundary("application/json"));
  EXPECT_FALSE(multipart_boundary("multipart/form-data"));
}

TEST(UploadPipe, ReaderGetsBytesInOrderThenEnd) {
  UploadPipe pipe(8);
  EXPECT_EQ(pipe.push("abc", nullptr), UploadPipe::Push::Accepted);
  EXPECT_EQ(pipe.push("defgh", nullptr), UploadPipe::Push::Accepted);
  pipe.finish(true);
  char buf[4];
  std::string got;
  for (std::size_t n; (n = pipe.read(buf, sizeof buf)) > 0;) got.append(buf, n);
  EXPECT_EQ(got, "abcdefgh");
}

TEST(UploadPipe, FullPipeWakesTheWriterOnceHalfDrained) {
  UploadPipe pipe(8);
  bool woken = false;
  EXPECT_EQ(pipe.push("0123456789", [&] { woken = true; }), UploadPipe::Push::Full);
  char buf[3];
  EXPECT_EQ(pipe.read(buf, 3), 3u);  // 7 left: still over half
  EXPECT_FALSE(woken);
  EXPECT_EQ(pipe.read(buf, 3), 3u);  // 4 left
  EXPECT_TRUE(woken);
}

TEST(UploadPipe, InterruptedUploadThrowsEpipeToTheReader) {
  UploadPipe pipe;
  std::thread writer([&] {
    pipe.push("xy", nullptr);
    pipe.finish(false);
  });
  char buf[8];
  std::string got;
  try {
    for (std::size_t n; (n = pipe.read(buf, sizeof buf)) > 0;) got.append(buf, n);
    ADD_FAILURE() << "no error";
  } catch (const CallError& e) {
    EXPECT_EQ(e.errnum(), EPIPE);
  }
  writer.join();
  EXPECT_EQ(got, "xy");
}

TEST(UploadPipe, WriterLearnsTheReaderLeft) {
  UploadPipe pipe(4);
  bool woken = false;
  EXPECT_EQ(pipe.push("123456", [&] { woken = true; }), UploadPipe::Push::Full);
  pipe.leave();
  EXPECT_TRUE(woken);
  EXPECT_EQ(pipe.push("7", nullptr), UploadPipe::Push::Closed);
  EXPECT_EQ(pipe.buffered(), 0u);
}

}  // namespace
}  // namespace mw::server
