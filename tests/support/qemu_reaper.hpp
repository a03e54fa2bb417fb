#pragma once
// Ends what a test started and might leave behind: every QEMU whose command line names a path under
// a test's state directory (its pidfile, sockets and logs all live there). Fixtures call it at
// teardown whether the test passed or failed; VMs are not our children once a daemon started them,
// so they are found by command line, killed by pid, and waited for until they are gone.
#include <sys/types.h>

#include <filesystem>
#include <vector>

namespace mw::test {

// Returns the pids it ended (empty when nothing ran).
std::vector<pid_t> end_qemu_under(const std::filesystem::path& dir);

}  // namespace mw::test
