#pragma once
// Helpers for tests that run real QEMU: a private temp dir per test, VM entries, the tiny guest.
#include <chrono>
#include <filesystem>
#include <functional>
#include <string>

#include <middlewared/json.hpp>

#include "model/vm_config.hpp"
#include "support/file_text.hpp"

namespace mw::vm::hypervisor::testing {

class TempDir {
 public:
  TempDir();
  ~TempDir();
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

// A complete VM entry with a fresh uuid; firmware-only SeaBIOS by default.
vm::VmConfig vm_entry(int id, const std::string& name, int memory_mib = 64);

// Builds (or finds cached) the tiny guest; returns its directory with vmlinuz + initrd.img.
std::filesystem::path tiny_guest();

// Polls `predicate` every 20 ms until true or the deadline.
bool eventually(const std::function<bool()>& predicate, std::chrono::milliseconds timeout);

using mw::test::file_text;
bool process_exists(int pid);

}  // namespace mw::vm::hypervisor::testing
