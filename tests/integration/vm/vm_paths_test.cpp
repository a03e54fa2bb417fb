// No path escapes the storage roots: what vm.device.convert, vm.device.virtual_size, RAW and DISK
// devices, vm.clone and vm.device.delete may touch on the host, against the real daemon.
#include <fcntl.h>
#include <sys/stat.h>

#include <atomic>
#include <fstream>
#include <sstream>
#include <thread>

#include "support/file_text.hpp"
#include "vm_daemon_fixture.hpp"

namespace vm_it {
namespace {

namespace fs = std::filesystem;
using mw::test::file_text;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

void write_file(const fs::path& p, const std::string& text) { std::ofstream(p, std::ios::binary) << text; }

std::string trimmed(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

// A loop device over a file: an unused block device a DISK (or a convert) may take.
class LoopDevice {
 public:
  LoopDevice(const fs::path& backing, std::uintmax_t bytes) {
    std::ofstream(backing).close();
    fs::resize_file(backing, bytes);
    auto r = mw::test::run_command({"losetup", "-f", "--show", backing.string()});
    if (r.exit_code == 0) path_ = trimmed(r.out);
  }
  ~LoopDevice() {
    if (!path_.empty()) mw::test::run_command({"losetup", "-d", path_});
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// The block device mounted at "/", as /proc/self/mountinfo says ("" when / is not on one).
std::string root_device() {
  std::ifstream in("/proc/self/mountinfo");
  for (std::string line; std::getline(in, line);) {
    std::istringstream f(line);
    std::string id, parent, devno, root, mount;
    f >> id >> parent >> devno >> root >> mount;
    if (mount != "/") continue;
    auto dash = line.find(" - ");
    std::istringstream rest(line.substr(dash + 3));
    std::string type, source;
    rest >> type >> source;
    struct stat st {};
    return ::stat(source.c_str(), &st) == 0 && S_ISBLK(st.st_mode) ? source : "";
  }
  return "";
}

class VmPathsTest : public VmDaemonTest {
 protected:
  void SetUp() override {
    outside_ = fs::temp_directory_path() / ("mw_vm_outside_" + std::to_string(::getpid()));
    fs::remove_all(outside_);
    fs::create_directories(outside_);
  }
  void TearDown() override {
    const auto vms = call("vm.query");  // kept alive: a loop over a temporary's array would dangle
    for (const auto& vm : vms.as_array()) call("vm.delete", {vm.at("id")});
    fs::remove_all(outside_);
    for (const auto& e : fs::directory_iterator(storage_))
      if (e.path().filename() != "iso") fs::remove_all(e.path());
  }

  // A job method run to its end: its result, or its error as a Failure.
  static json::value run_job(const std::string& method, json::array params) {
    auto c = client();
    c.call("core.set_options", {json::object{{"legacy_jobs", false}}});
    return c.call(method, std::move(params));
  }
  static Failure job_failure(const std::string& method, json::array params) {
    try {
      run_job(method, std::move(params));
    } catch (const mw::test::RpcError& e) {
      Failure f{e.code, e.reason(), {}};
      if (const auto* extra = e.data.is_object() ? e.data.as_object().if_contains("extra") : nullptr;
          extra && extra->is_array())
        for (const auto& t : extra->as_array())
          f.extra.emplace_back(t.at(0).is_null() ? "None" : std::string(t.at(0).as_string()),
                               std::string(t.at(1).as_string()), static_cast<int>(t.at(2).to_number<int64_t>()));
      return f;
    }
    ADD_FAILURE() << method << " succeeded";
    return {};
  }
  static json::object convert(const std::string& source, const std::string& destination) {
    return json::object{{"source", source}, {"destination", destination}};
  }
  static std::string outside_roots() {
    return "The path must reside within a storage root (" + storage_.string() + ")";
  }
  static json::value raw_device(int64_t vm, const fs::path& path, json::object extra = {}) {
    json::object attributes{{"dtype", "RAW"}, {"path", path.string()}};
    for (auto& kv : extra) attributes[kv.key()] = kv.value();
    return call("vm.device.create", {json::object{{"vm", vm}, {"attributes", std::move(attributes)}}});
  }
  // A RAW disk in <storage>/<dir>/disk.img, then <dir> swapped for a link to a directory outside
  // the roots holding a file of the same name: what a local user could do behind our back.
  int64_t raw_behind_a_swapped_directory(int64_t vm, const std::string& dir) {
    fs::create_directories(storage_ / dir);
    auto id = raw_device(vm, storage_ / dir / "disk.img", json::object{{"size", 1 << 20}}).at("id").as_int64();
    fs::remove_all(storage_ / dir);
    fs::create_directories(outside_ / dir);
    write_file(outside_ / dir / "disk.img", "HOST SECRET");
    fs::create_directory_symlink(outside_ / dir, storage_ / dir);
    return id;
  }

  fs::path outside_;
};

// ---- vm.device.convert: both sides are checked

TEST_F(VmPathsTest, ConvertRefusesAHostFileAsTheSource) {
  write_file(outside_ / "secret.txt", "HOST SECRET");
  const auto leak = storage_ / "leak.raw";
  auto f = job_failure("vm.device.convert", {convert((outside_ / "secret.txt").string(), leak.string())});
  EXPECT_THAT(f.extra, ElementsAre(t("vm.device.convert.source",
                                     "'" + (outside_ / "secret.txt").string() + "' is not a block device")));
  EXPECT_FALSE(fs::exists(leak));
}

TEST_F(VmPathsTest, ConvertRefusesToOverwriteAHostFile) {
  const auto image = storage_ / "small.raw";
  write_file(image, std::string(512, 'I'));
  const auto victim = outside_ / "victim.conf";
  write_file(victim, std::string(4096, 'V'));
  auto f = job_failure("vm.device.convert", {convert(image.string(), victim.string())});
  EXPECT_THAT(f.extra,
              ElementsAre(t("vm.device.convert.destination", "'" + victim.string() + "' is not a block device")));
  EXPECT_EQ(file_text(victim), std::string(4096, 'V'));
}

TEST_F(VmPathsTest, ConvertRefusesAnImageWhoseBackingFileLiesOutsideTheRoots) {
  LoopDevice volume(outside_ / "volume.bin", 1 << 20);
  if (volume.path().empty()) GTEST_SKIP() << "needs losetup";
  write_file(outside_ / "secret.raw", std::string(4096, 'S'));
  const auto image = storage_ / "backed.qcow2";
  auto made = mw::test::run_command({"qemu-img", "create", "-q", "-f", "qcow2", "-b",
                                     (outside_ / "secret.raw").string(), "-F", "raw", image.string(), "1M"});
  ASSERT_EQ(made.exit_code, 0) << made.err;
  auto f = job_failure("vm.device.convert", {convert(image.string(), volume.path())});
  ASSERT_EQ(f.extra.size(), 1u) << f.reason;
  EXPECT_EQ(std::get<0>(f.extra[0]), "vm.device.convert.source");
  EXPECT_THAT(std::get<1>(f.extra[0]), HasSubstr("backing"));
  std::ifstream in(volume.path(), std::ios::binary);
  std::string head(4096, '\0');
  in.read(head.data(), 4096);
  EXPECT_EQ(head.find('S'), std::string::npos) << "the host file reached the volume";
}

TEST_F(VmPathsTest, ConvertCopiesBetweenAnImageInTheRootsAndAnUnusedBlockDevice) {
  LoopDevice volume(outside_ / "volume.bin", 1 << 20);
  if (volume.path().empty()) GTEST_SKIP() << "needs losetup";
  const auto image = storage_ / "in.raw";
  write_file(image, std::string(1 << 20, 'D'));
  EXPECT_EQ(run_job("vm.device.convert", {convert(image.string(), volume.path())}), json::value(true));
  const auto back = storage_ / "out.qcow2";
  EXPECT_EQ(run_job("vm.device.convert", {convert(volume.path(), back.string())}), json::value(true));
  EXPECT_EQ(call("vm.device.virtual_size", {json::object{{"path", back.string()}}}), json::value(1 << 20));
}

// ---- vm.device.virtual_size: confined, and never stuck

TEST_F(VmPathsTest, VirtualSizeAnswersAlikeForAnyPathOutsideTheRoots) {
  write_file(outside_ / "present.img", std::string(512, 'P'));
  for (const auto& path :
       {(outside_ / "present.img").string(), (outside_ / "absent.img").string(), std::string("/etc/hostname"),
        storage_.string() + "/../" + outside_.filename().string() + "/present.img"}) {
    auto f = failure("vm.device.virtual_size", {json::object{{"path", path}}});
    EXPECT_EQ(f.code, -32602) << path;
    EXPECT_THAT(f.extra, ElementsAre(t("vm.device.virtual_size", outside_roots()))) << path;
  }
}

TEST_F(VmPathsTest, VirtualSizeRefusesAFifoAtOnce) {
  const auto fifo = storage_ / "pipe.img";
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  // Were qemu-img to wait on the FIFO, open it after a while so that the test fails instead of hanging.
  std::atomic<bool> answered{false};
  std::thread release([&] {
    const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(8);
    while (!answered && std::chrono::steady_clock::now() < until)
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    if (!answered) ::close(::open(fifo.c_str(), O_RDWR | O_CLOEXEC));
  });
  const auto start = std::chrono::steady_clock::now();
  auto f = failure("vm.device.virtual_size", {json::object{{"path", fifo.string()}}});
  answered = true;
  release.join();
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
  EXPECT_THAT(f.extra, ElementsAre(t("vm.device.virtual_size",
                                     "'" + fifo.string() + "' is not a regular file or a block device")));
}

TEST_F(VmPathsTest, VirtualSizeOfAnImageInTheRoots) {
  const auto image = storage_ / "sized.qcow2";
  ASSERT_EQ(mw::test::run_command({"qemu-img", "create", "-q", "-f", "qcow2", image.string(), "3M"}).exit_code, 0);
  EXPECT_EQ(call("vm.device.virtual_size", {json::object{{"path", image.string()}}}), json::value(3 << 20));
  EXPECT_THAT(
      extra_of("vm.device.virtual_size", {json::object{{"path", (storage_ / "missing.img").string()}}}),
      ElementsAre(t("vm.device.virtual_size", "'" + (storage_ / "missing.img").string() + "' does not exist", 2)));
}

// ---- RAW files: resolved at every step, never cut

TEST_F(VmPathsTest, RawExistingFileKeepsItsContentWhenSizeIsZero) {
  int64_t vm = create_vm("rawkeep");
  const auto image = storage_ / "keep.img";
  write_file(image, std::string(4096, 'K'));
  raw_device(vm, image, json::object{{"exists", true}, {"size", 0}});
  EXPECT_EQ(file_text(image), std::string(4096, 'K'));
}

TEST_F(VmPathsTest, RawFileDeleteDoesNotFollowALinkOutOfTheRoots) {
  int64_t vm = create_vm("rawdel");
  int64_t device = raw_behind_a_swapped_directory(vm, "swapped");
  auto f = failure("vm.device.delete", {device, json::object{{"raw_file", true}}});
  EXPECT_EQ(f.code, -32001);
  EXPECT_THAT(f.reason, HasSubstr(outside_roots()));
  EXPECT_EQ(file_text(outside_ / "swapped" / "disk.img"), "HOST SECRET");
  EXPECT_EQ(call("vm.device.query", {js("[[\"id\", \"=\", " + std::to_string(device) + "]]")}).as_array().size(), 1u);
}

TEST_F(VmPathsTest, CloneDoesNotCopyARawFileThatNowLeadsOutOfTheRoots) {
  int64_t vm = create_vm("rawclone");
  raw_behind_a_swapped_directory(vm, "cloned");
  auto f = failure("vm.clone", {vm, "rawclone2"});
  EXPECT_THAT(f.extra, ElementsAre(t("vm.devices.0.attributes.path", outside_roots())));
  EXPECT_EQ(std::distance(fs::directory_iterator(outside_ / "cloned"), fs::directory_iterator()), 1)
      << "a copy was written outside";
  EXPECT_TRUE(call("vm.query", {js(R"([["name", "=", "rawclone2"]])")}).as_array().empty());
}

TEST_F(VmPathsTest, RawRefusesADanglingLinkOutOfTheRoots) {
  int64_t vm = create_vm("rawlink");
  fs::create_symlink(outside_ / "new.img", storage_ / "link.img");
  EXPECT_THAT(
      extra_of("vm.device.create", {json::object{{"vm", vm},
                                                 {"attributes", json::object{{"dtype", "RAW"},
                                                                             {"path", (storage_ / "link.img").string()},
                                                                             {"size", 1 << 20}}}}}),
      ElementsAre(t("attributes.path", outside_roots())));
  EXPECT_FALSE(fs::exists(outside_ / "new.img"));
}

// ---- DISK: only block devices vm.device.disk_choices offers

TEST_F(VmPathsTest, DiskRefusesTheDeviceHoldingTheRootFilesystem) {
  const auto root = root_device();
  if (root.empty()) GTEST_SKIP() << "/ is not on a block device here";
  int64_t vm = create_vm("diskroot");
  auto errors = extra_of("vm.device.create",
                         {json::object{{"vm", vm}, {"attributes", json::object{{"dtype", "DISK"}, {"path", root}}}}});
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(std::get<0>(errors[0]), "attributes.path");
  EXPECT_EQ(std::get<1>(errors[0]), "Disk path (" + root + ") cannot be used: it holds the root filesystem.");
  EXPECT_FALSE(call("vm.device.disk_choices").as_object().contains(root));
}

TEST_F(VmPathsTest, DiskTakesAnUnusedBlockDeviceThatDiskChoicesOffers) {
  LoopDevice volume(outside_ / "disk.bin", 1 << 20);
  if (volume.path().empty()) GTEST_SKIP() << "needs losetup";
  ASSERT_TRUE(call("vm.device.disk_choices").as_object().contains(volume.path()));
  int64_t vm = create_vm("diskloop");
  auto disk =
      call("vm.device.create",
           {json::object{{"vm", vm}, {"attributes", json::object{{"dtype", "DISK"}, {"path", volume.path()}}}}});
  EXPECT_EQ(disk.at("attributes").at("path"), json::value(volume.path()));
  EXPECT_FALSE(call("vm.device.disk_choices").as_object().contains(volume.path()))
      << "a device in use is no longer offered";
}

}  // namespace
}  // namespace vm_it
