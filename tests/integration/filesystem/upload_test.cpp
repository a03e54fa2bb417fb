// POST /_upload with filesystem.put, filesystem.listdir and filesystem.stat on the real daemon:
// TrueNAS's multipart protocol, files written through a temporary file and renamed, nothing left
// by a refused or interrupted upload, storage roots enforced, and the body streamed (the daemon's
// memory does not grow with the file).
#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <boost/json.hpp>

#include <filesystem>
#include <fstream>
#include <random>

#include "support/daemon_process.hpp"
#include "support/file_text.hpp"
#include "support/rpc_client.hpp"

namespace mw::test {
namespace {

namespace json = boost::json;
namespace fs = std::filesystem;

constexpr const char* kBoundary = "mwUploadBoundary7d3f";

// A loopback TCP connection that sends an HTTP request in pieces, as a browser streams a file.
class RawHttp {
 public:
  explicit RawHttp(uint16_t port) {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) throw std::runtime_error("connect failed");
    timeval limit{10, 0};  // an answer that never comes fails the test instead of hanging it
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &limit, sizeof limit);
  }
  ~RawHttp() { close(); }
  void send(std::string_view bytes) {
    while (!bytes.empty()) {
      ssize_t n = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
      if (n <= 0) return;  // the server closed early; its answer is still readable
      bytes.remove_prefix(static_cast<std::size_t>(n));
    }
  }
  // Status code and body of the answer (reads until the server closes or the body is complete).
  std::pair<int, std::string> answer() {
    std::string text;
    char buf[4096];
    for (;;) {
      ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
      if (n <= 0) break;
      text.append(buf, static_cast<std::size_t>(n));
      auto head_end = text.find("\r\n\r\n");
      if (head_end != std::string::npos && text.rfind("HTTP/1.1 1", 0) == 0) break;  // an interim answer
      auto cl = text.find("Content-Length: ");
      if (head_end != std::string::npos && cl != std::string::npos && cl < head_end &&
          text.size() >= head_end + 4 + std::stoul(text.substr(cl + 16)))
        break;
    }
    if (text.size() < 12) return {0, text};
    auto head_end = text.find("\r\n\r\n");
    return {std::stoi(text.substr(9, 3)), head_end == std::string::npos ? "" : text.substr(head_end + 4)};
  }
  void close() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }

 private:
  int fd_ = -1;
};

std::string random_bytes(std::size_t n, unsigned seed) {
  std::mt19937 gen(seed);
  std::string s(n, '\0');
  for (auto& c : s) c = static_cast<char>(gen());
  return s;
}

class UploadTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    root_ = fs::temp_directory_path() / ("mw-upload-" + std::to_string(::getpid()));
    fs::create_directories(root_ / "iso");
    DaemonOptions o;
    o.config_text = "[vm]\nstorage_roots = " + root_.string() + "\n[filesystem]\nmax_upload_bytes = 8388608\n";
    daemon_ = std::make_unique<DaemonProcess>(o);
  }
  static void TearDownTestSuite() {
    daemon_.reset();
    fs::remove_all(root_);
  }
  static RpcClient root() { return RpcClient::unix_socket(daemon_->socket_path()); }
  static std::string token() {
    return std::string(root().call("auth.generate_token", {300, json::object{}, false}).as_string());
  }

  static std::string head(std::size_t content_length, const std::string& auth) {
    return "POST /_upload HTTP/1.1\r\nHost: localhost\r\n" + auth +
           "Content-Type: multipart/form-data; boundary=" + kBoundary +
           "\r\nContent-Length: " + std::to_string(content_length) + "\r\n\r\n";
  }
  static std::string data_part(const std::string& method, json::array params) {
    return std::string("--") + kBoundary + "\r\nContent-Disposition: form-data; name=\"data\"\r\n\r\n" +
           json::serialize(json::object{{"method", method}, {"params", std::move(params)}}) + "\r\n";
  }
  static std::string file_head() {
    return std::string("--") + kBoundary +
           "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"x.iso\"\r\n"
           "Content-Type: application/octet-stream\r\n\r\n";
  }
  static std::string closing() { return std::string("\r\n--") + kBoundary + "--\r\n"; }

  // Sends a whole upload of `file` to `path` in 64 KiB pieces; the answer.
  static std::pair<int, std::string> upload(const std::string& path, const std::string& file, std::string auth = "",
                                            const std::string& method = "filesystem.put") {
    if (auth.empty()) auth = "Authorization: Token " + token() + "\r\n";
    const std::string before = data_part(method, {path, json::object{}}) + file_head();
    RawHttp http(daemon_->tcp_port());
    http.send(head(before.size() + file.size() + closing().size(), auth) + before);
    for (std::size_t at = 0; at < file.size(); at += 65536) http.send(std::string_view(file).substr(at, 65536));
    http.send(closing());
    return http.answer();
  }
  // The job's end: its result, or the reason it failed.
  static std::pair<json::value, std::string> wait_job(int64_t id) {
    auto c = root();
    c.call("core.set_options", {json::object{{"legacy_jobs", false}}});
    try {
      return {c.call("core.job_wait", {id}), ""};
    } catch (const RpcError& e) {
      return {nullptr, e.reason()};
    }
  }
  static int64_t job_id_of(const std::pair<int, std::string>& answer) {
    EXPECT_EQ(answer.first, 200) << answer.second;
    return json::parse(answer.second).at("job_id").as_int64();
  }
  static std::vector<std::string> names_in(const fs::path& dir) {
    std::vector<std::string> out;
    for (const auto& e : fs::directory_iterator(dir)) out.push_back(e.path().filename().string());
    std::sort(out.begin(), out.end());
    return out;
  }

  static inline fs::path root_;
  static inline std::unique_ptr<DaemonProcess> daemon_;
};

TEST_F(UploadTest, UploadedFileLandsWholeAndTheAnswerIsItsJobId) {
  const auto file = random_bytes(3u << 20, 1);
  const auto target = root_ / "iso" / "whole.iso";
  auto [result, error] = wait_job(job_id_of(upload(target.string(), file)));
  EXPECT_EQ(error, "");
  EXPECT_EQ(result, json::value(true));
  EXPECT_TRUE(file_text(target) == file);
  EXPECT_EQ(names_in(root_ / "iso"), std::vector<std::string>{"whole.iso"});  // no temporary left
  fs::remove(target);
}

TEST_F(UploadTest, ListdirAndStatDescribeFilesInTrueNasShapes) {
  std::ofstream(root_ / "iso" / "a.img") << "abc";
  auto c = root();
  auto entries =
      c.call("filesystem.listdir", {(root_ / "iso").string(), json::array{json::array{"type", "=", "FILE"}}});
  ASSERT_EQ(entries.as_array().size(), 1u);
  const auto& e = entries.as_array()[0].as_object();
  EXPECT_EQ(e.at("name"), "a.img");
  EXPECT_EQ(e.at("path"), json::value((root_ / "iso" / "a.img").string()));
  EXPECT_EQ(e.at("type"), "FILE");
  EXPECT_EQ(e.at("size"), 3);
  for (const char* key : {"realpath", "allocation_size", "mode", "mount_id", "acl", "uid", "gid", "is_mountpoint",
                          "is_ctldir", "attributes", "xattrs", "zfs_attrs"})
    EXPECT_TRUE(e.contains(key)) << key;
  auto st = c.call("filesystem.stat", {(root_ / "iso" / "a.img").string()}).as_object();
  EXPECT_EQ(st.at("type"), "FILE");
  EXPECT_EQ(st.at("size"), 3);
  EXPECT_EQ(st.at("user"), "root");
  auto dirs = c.call("filesystem.listdir", {root_.string(), json::array{json::array{"type", "=", "DIRECTORY"}}});
  EXPECT_EQ(dirs.as_array().size(), 1u);
  fs::remove(root_ / "iso" / "a.img");
}

TEST_F(UploadTest, PathsOutsideTheStorageRootsAreRefused) {
  auto c = root();
  for (const char* method : {"filesystem.listdir", "filesystem.stat"}) {
    try {
      c.call(method, {"/etc"});
      ADD_FAILURE() << method << " answered for /etc";
    } catch (const RpcError& e) {
      EXPECT_EQ(e.reason(), "[EINVAL] path: The path must reside within a storage root (" + root_.string() + ")")
          << method;
    }
  }
  // A way out through `..` is judged by where it leads.
  const auto escape = (root_ / "iso" / ".." / ".." / "mw-upload-escape.iso").string();
  auto [result, error] = wait_job(job_id_of(upload(escape, "data")));
  EXPECT_EQ(error, "[EINVAL] path: The path must reside within a storage root (" + root_.string() + ")");
  EXPECT_FALSE(fs::exists(fs::temp_directory_path() / "mw-upload-escape.iso"));
}

TEST_F(UploadTest, FileOverTheConfiguredLimitFailsAndLeavesNothing) {
  const auto target = root_ / "iso" / "big.iso";
  auto [result, error] = wait_job(job_id_of(upload(target.string(), random_bytes(9u << 20, 2))));
  EXPECT_EQ(error, "[EFBIG] The file is larger than the upload limit of 8388608 bytes ([filesystem] max_upload_bytes)");
  EXPECT_TRUE(names_in(root_ / "iso").empty());
}

TEST_F(UploadTest, InterruptedUploadFailsAndLeavesNothing) {
  const auto target = root_ / "iso" / "cut.iso";
  const std::string before = data_part("filesystem.put", {target.string(), json::object{}}) + file_head();
  RawHttp http(daemon_->tcp_port());
  http.send(head(before.size() + (2u << 20), "Authorization: Token " + token() + "\r\n") + before);
  http.send(random_bytes(1u << 20, 3));
  // The job is running by now; the client goes away half-way.
  auto c = root();
  std::optional<int64_t> id;
  for (int i = 0; i < 100 && !id; ++i) {
    auto jobs =
        c.call("core.get_jobs",
               {json::array{json::array{"method", "=", "filesystem.put"}, json::array{"state", "=", "RUNNING"}}});
    if (!jobs.as_array().empty())
      id = jobs.as_array()[0].at("id").as_int64();
    else
      ::usleep(50000);
  }
  ASSERT_TRUE(id);
  http.close();
  auto [result, error] = wait_job(*id);
  EXPECT_EQ(error, "[EPIPE] The upload was interrupted before the whole file arrived");
  EXPECT_TRUE(names_in(root_ / "iso").empty());
}

TEST_F(UploadTest, RefusalsUseTrueNasStatuses) {
  const auto target = (root_ / "iso" / "refused.iso").string();
  EXPECT_EQ(upload(target, "x", "Authorization: Token not-a-token\r\n").first, 401);
  EXPECT_EQ(upload(target, "x", "X-None: 1\r\n").first, 401);
  EXPECT_EQ(upload(target, "x", "", "vm.query").first, 412);
  EXPECT_EQ(upload(target, "x", "", "nosuch.method").first, 422);
  // The "data" part must come first.
  RawHttp http(daemon_->tcp_port());
  const std::string body = file_head() + "x" + closing();
  http.send(head(body.size(), "Authorization: Token " + token() + "\r\n") + body);
  EXPECT_EQ(http.answer(), (std::pair<int, std::string>{405, "\"data\" part must be the first on payload"}));
  // Over the WebSocket filesystem.put has no file to read.
  auto c = root();
  auto job = c.call("filesystem.put", {target});
  EXPECT_EQ(wait_job(job.as_int64()).second, "[EINVAL] filesystem.put takes its file through POST /_upload");
  EXPECT_TRUE(names_in(root_ / "iso").empty());
}

// curl sends `Expect: 100-continue` before a large body and waits for the go-ahead.
TEST_F(UploadTest, ExpectContinueIsAnsweredBeforeTheBody) {
  const auto target = root_ / "iso" / "continued.iso";
  const std::string body =
      data_part("filesystem.put", {target.string(), json::object{}}) + file_head() + "abc" + closing();
  RawHttp http(daemon_->tcp_port());
  http.send(head(body.size(), "Authorization: Token " + token() + "\r\nExpect: 100-continue\r\n"));
  auto interim = http.answer();
  EXPECT_EQ(interim.first, 100);
  http.send(body);
  auto [status, text] = http.answer();
  ASSERT_EQ(status, 200) << text;
  EXPECT_EQ(wait_job(json::parse(text).at("job_id").as_int64()).second, "");
  EXPECT_EQ(file_text(target), "abc");
  fs::remove(target);
}

long peak_rss_kib(int pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  for (std::string line; std::getline(in, line);)
    if (line.rfind("VmHWM:", 0) == 0) return std::stol(line.substr(6));
  return -1;
}

TEST_F(UploadTest, LargeUploadIsStreamedNotHeldInMemory) {
  DaemonOptions o;
  o.config_text = "[vm]\nstorage_roots = " + root_.string() + "\n";
  DaemonProcess big(o);
  const auto token = std::string(
      RpcClient::unix_socket(big.socket_path()).call("auth.generate_token", {300, json::object{}, false}).as_string());
  const std::size_t size = 96u << 20;
  const auto target = root_ / "iso" / "large.img";
  const std::string before = data_part("filesystem.put", {target.string(), json::object{}}) + file_head();
  const long rss_before = peak_rss_kib(big.pid());
  RawHttp http(big.tcp_port());
  http.send(head(before.size() + size + closing().size(), "Authorization: Token " + token + "\r\n") + before);
  const std::string piece = random_bytes(1u << 20, 4);
  for (std::size_t sent = 0; sent < size; sent += piece.size()) http.send(piece);
  http.send(closing());
  auto answer = http.answer();
  ASSERT_EQ(answer.first, 200) << answer.second;
  auto c = RpcClient::unix_socket(big.socket_path());
  c.call("core.set_options", {json::object{{"legacy_jobs", false}}});
  EXPECT_EQ(c.call("core.job_wait", {json::parse(answer.second).at("job_id")}), json::value(true));
  EXPECT_EQ(fs::file_size(target), size);
  // The pipe holds at most a few MiB: the peak grows by far less than the file.
  EXPECT_LT(peak_rss_kib(big.pid()) - rss_before, 32 * 1024) << "before " << rss_before << " KiB";
  fs::remove(target);
}

}  // namespace
}  // namespace mw::test
