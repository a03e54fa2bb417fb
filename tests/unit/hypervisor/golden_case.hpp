#pragma once
// One golden case of tests/golden/qemu: <name>.json holds {vm, devices, facts, launch} and
// <name>.argv the expected QEMU command (or <name>.error the expected refusal).
#include <filesystem>
#include <string>
#include <vector>

#include <middlewared/json.hpp>

#include "hypervisor/qemu/command_line.hpp"
#include "support/file_text.hpp"

namespace mw::vm::hypervisor::qemu::testing {

struct GoldenCase {
  std::string name;
  std::filesystem::path json_path;
  json::object vm;
  json::array devices;
  // The fixture through the model's edge conversions, as the builder takes it.
  VmConfig typed_vm() const;
  std::vector<DeviceConfig> typed_devices() const;
  HostFacts facts;
  bool launch = true;       // false: needs what no test host has (vfio, a USB device...)
  bool needs_kvm = false;   // launches only where KVM runs ordinary guests
  std::string launch_note;  // why not
};

std::vector<std::string> golden_case_names(const std::filesystem::path& dir);
GoldenCase load_golden_case(const std::filesystem::path& dir, const std::string& name);

// The text form of a builder result: argv one per line, then '#'-lines for the side outputs.
std::string render(const QemuCommand& command);
std::string render_error(const std::string& message);

// Whole files (tests/support/file_text.hpp) for the golden texts.
using mw::test::file_text;
void write_text(const std::filesystem::path& path, const std::string& text);
// A line diff good enough to spot the changed arguments.
std::string line_diff(const std::string& expected, const std::string& actual);

}  // namespace mw::vm::hypervisor::qemu::testing
