// Every launchable golden case, built again with this test's own paths, must be accepted by the
// real QEMU: started with -S, QMP capabilities negotiated, status "prelaunch", then quit.
// So the goldens are known to be command lines QEMU 7.2 takes, not just strings we expect.
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <thread>

#include <gtest/gtest.h>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>

#include "golden_case.hpp"
#include "hypervisor/qemu/accelerator.hpp"
#include "hypervisor/qemu/qemu_domain.hpp"
#include "vm_fixture.hpp"

namespace mw::vm::hypervisor::qemu::testing {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using mw::vm::hypervisor::testing::TempDir;

const fs::path kGoldenDir = MW_GOLDEN_DIR;

std::vector<std::string> launchable_cases() {
  std::vector<std::string> names;
  for (const auto& name : golden_case_names(kGoldenDir)) {
    if (fs::exists(kGoldenDir / (name + ".argv"))) names.push_back(name);
  }
  return names;
}

// Points every file the case names at something real inside `dir`.
void localise(GoldenCase& c, const fs::path& dir) {
  c.facts.paths = state_paths(dir.string(), (dir / "nvram").string(), c.vm.at("id").to_number<std::int64_t>(),
                              std::string(c.vm.at("name").as_string()));
  fs::create_directories(dir / "nvram");
  std::set<std::string> no_direct;
  // host_device needs a block or character device; each disk its own (QEMU locks them).
  std::vector<std::string> char_devices{"/dev/null", "/dev/zero", "/dev/full"};
  for (auto& d : c.devices) {
    auto& a = d.as_object()["attributes"].as_object();
    const auto dtype = std::string(a["dtype"].as_string());
    if (dtype != "RAW" && dtype != "DISK" && dtype != "CDROM") continue;
    const auto original = std::string(a["path"].as_string());
    std::string local;
    if (dtype == "DISK") {
      ASSERT_FALSE(char_devices.empty()) << "more DISK devices than stand-ins";
      local = char_devices.back();
      char_devices.pop_back();
    } else {
      local = (dir / fs::path(original).filename()).string();
      std::ofstream(local).close();
      fs::resize_file(local, 16 << 20);
    }
    if (c.facts.no_direct_io_paths.contains(original) || !supports_direct_io(local)) no_direct.insert(local);
    a["path"] = local;
  }
  c.facts.no_direct_io_paths = no_direct;
  for (auto& [id, tap] : c.facts.tap_names)
    tap = "mwt" + std::to_string(::getpid() % 100000) + "x" + std::to_string(id);
  if (c.facts.kernel) {
    const auto guest = mw::vm::hypervisor::testing::tiny_guest();
    c.facts.kernel = (guest / "vmlinuz").string();
    c.facts.initrd = (guest / "initrd.img").string();
  }
  c.facts.extra_args.push_back("-S");
}

class GoldenLaunch : public ::testing::TestWithParam<std::string> {
 protected:
  static void SetUpTestSuite() {
    io_ = new boost::asio::io_context;
    work_ = new boost::asio::executor_work_guard<boost::asio::io_context::executor_type>(io_->get_executor());
    thread_ = new std::thread([] { io_->run(); });
  }
  static void TearDownTestSuite() {
    delete work_;
    io_->stop();
    thread_->join();
    delete thread_;
    delete io_;
  }
  static boost::asio::io_context* io_;
  static boost::asio::executor_work_guard<boost::asio::io_context::executor_type>* work_;
  static std::thread* thread_;
};

boost::asio::io_context* GoldenLaunch::io_;
boost::asio::executor_work_guard<boost::asio::io_context::executor_type>* GoldenLaunch::work_;
std::thread* GoldenLaunch::thread_;

TEST_P(GoldenLaunch, QemuAcceptsTheCommandLine) {
  auto c = load_golden_case(kGoldenDir, GetParam());
  if (!c.launch) GTEST_SKIP() << "not launchable here: " << c.launch_note;
  if (c.needs_kvm) {
    if (auto why = qemu::kvm_unusable_reason(qemu::probe_kvm()); !why.empty())
      GTEST_SKIP() << "needs KVM, which cannot run guests here: " << why;
  }
  if (!c.facts.tap_names.empty() && ::geteuid() != 0) GTEST_SKIP() << "QEMU creates tap devices only as root";
  TempDir dir;
  localise(c, dir.path());
  if (HasFatalFailure()) return;
  const auto cmd = build_command_line(c.typed_vm(), c.typed_devices(), c.facts);
  // Same shape as the golden: only paths differ, plus the trailing -S.
  std::size_t golden_args = 0;
  std::istringstream golden(file_text(kGoldenDir / (c.name + ".argv")));
  for (std::string line; std::getline(golden, line);) golden_args += line.rfind('#', 0) != 0;
  ASSERT_EQ(cmd.argv.size(), golden_args + 1);
  for (const auto& s : cmd.secret_files) std::ofstream(s.path) << s.content;
  if (!cmd.vars_template.empty()) fs::copy_file(cmd.vars_template, c.facts.paths.vars_file);

  std::vector<QmpCommand> setup;
  for (const auto& pw : cmd.display_passwords) {
    setup.push_back({"set_password", json::object{{"protocol", pw.protocol}, {"password", pw.password}}});
  }
  if (cmd.balloon_target) setup.push_back({"balloon", json::object{{"value", *cmd.balloon_target}}});
  auto process = Process::launch({cmd.argv, c.facts.paths.qemu_log, std::nullopt});
  std::shared_ptr<Domain> domain;
  try {
    domain = open_domain(*io_, std::move(process), c.facts.paths, DomainTimeouts{}, true, 0, setup);
  } catch (const std::exception& e) {
    // A golden case with a fixed display port cannot run while another process (a parallel test's
    // VM) holds that port: QEMU parsed the whole line to get that far, but the case proves nothing.
    if (std::string(e.what()).find("Address already in use") != std::string::npos)
      GTEST_SKIP() << "a fixed port of " << c.name << " is taken by another process: " << e.what();
    FAIL() << "QEMU refused " << c.name << ": " << e.what();
  }
  ASSERT_NE(domain, nullptr);
  EXPECT_EQ(domain->query_status(), DomainState::PAUSED);  // -S: "prelaunch"
  domain->poweroff();
  EXPECT_FALSE(domain->alive());
}

INSTANTIATE_TEST_SUITE_P(Cases, GoldenLaunch, ::testing::ValuesIn(launchable_cases()),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace mw::vm::hypervisor::qemu::testing
