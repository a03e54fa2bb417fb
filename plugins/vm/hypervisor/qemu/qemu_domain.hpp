#pragma once
// The Domain of one running QEMU: its Process, its QMP connection and the exit watch (pidfd).
#include <array>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "../hypervisor.hpp"
#include "host_facts.hpp"
#include "process.hpp"

namespace boost::asio {
class io_context;
}

namespace mw::vm::hypervisor::qemu {

struct DomainTimeouts {
  std::chrono::milliseconds connect{30000};        // launch -> QMP capabilities negotiated
  std::chrono::milliseconds command{15000};        // any one QMP command
  std::chrono::milliseconds poweroff_grace{3000};  // quit -> SIGKILL
};

// Connects QMP to `process` and starts watching it. `starting`: QEMU was just launched, so keep
// retrying while it creates its socket, and report its own error message if it exits first.
// Otherwise (re-attach) a refused connection means the VM is gone: returns nullptr.
// Throws HypervisorError when QEMU fails to start or the socket does not answer.
// `log_offset`: where this run's output starts in paths.qemu_log. `setup` commands (e.g.
// set_password) run right after connecting; a failing one fails the start.
struct QmpCommand {
  std::string name;
  json::object arguments;
};
std::shared_ptr<Domain> open_domain(boost::asio::io_context& io, std::unique_ptr<Process> process,
                                    const StatePaths& paths, const DomainTimeouts& timeouts, bool starting,
                                    std::uint64_t log_offset = 0, const std::vector<QmpCommand>& setup = {});

// The files a running QEMU has in its state directory (sockets, pidfile); after a clean exit none
// is left, after a kill some may be.
std::array<const std::string*, 6> runtime_files(const StatePaths& paths);
// Removes what a dead QEMU may leave behind (sockets, pidfile); harmless when absent.
void remove_runtime_files(const StatePaths& paths);

// libvirt's state for a QMP run state ("running", "paused", "shutdown", "guest-panicked", ...).
DomainState domain_state_from_qmp(const std::string& status);

}  // namespace mw::vm::hypervisor::qemu
