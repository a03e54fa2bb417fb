// The unit that ships (etc/middlewared.service) under a real systemd as PID 1, in a container:
// it starts, says ready, takes a PAM login, runs a VM whose QEMU stays in the unit's cgroup and
// sandbox, keeps the VM across a restart and stops. unit_starts_vm.sh does the steps and names
// the one that fails; the container it boots is gone when it returns.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "support/daemon_process.hpp"
#include "support/run_command.hpp"

namespace mw::test {
namespace {

const std::filesystem::path kSource = MW_SOURCE_DIR;

TEST(SystemdUnit, StartsVmWithHardening) {
  char work[] = "/tmp/mw-systemd-XXXXXX";
  ASSERT_NE(::mkdtemp(work), nullptr);
  auto r = run_command({"/bin/bash", (kSource / "tests/integration/systemd/unit_starts_vm.sh").string(),
                        (kSource / "etc/middlewared.service").string(), (kSource / "etc/middlewared.conf").string(),
                        shipped_daemon_path().string(), midclt_path().string(), MW_TINYGUEST_DIR, work},
                       "", {}, std::chrono::seconds(590));
  std::filesystem::remove_all(work);
  // 77: the script found that this host cannot run a container at all, and said which check failed.
  if (r.exit_code == 77) GTEST_SKIP() << r.out;
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
}

}  // namespace
}  // namespace mw::test
