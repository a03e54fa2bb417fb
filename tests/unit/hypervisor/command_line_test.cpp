// Builder behaviours that are clearer as direct assertions than as golden files.
#include <algorithm>

#include <gtest/gtest.h>
#include <boost/json/parse.hpp>

#include "hypervisor/qemu/command_line.hpp"

namespace mw::vm::hypervisor::qemu {
namespace {

VmConfig vm_entry() {
  return vm_from_json(boost::json::parse(R"({"id": 3, "name": "web", "uuid": "0d6c5b3e-8d4a-4b1f-9a61-3f4f8b2c1a00",
    "vcpus": 1, "cores": 1, "threads": 1, "memory": 256, "bootloader": "UEFI_CSM", "time": "UTC",
    "cpu_mode": "CUSTOM", "cpu_model": null, "command_line_args": "", "ensure_display_device": true})")
                          .as_object());
}

HostFacts facts() {
  HostFacts f;
  f.paths = state_paths("/run/mw/vm/x", "/run/mw/nvram", 3, "web");
  return f;
}

DeviceConfig disk(int id, int order, const std::string& path) {
  RawAttributes raw;
  raw.path = path;
  raw.type = "VIRTIO";
  raw.serial = "S" + std::to_string(id);
  return DeviceConfig{id, 3, order, raw};
}

std::vector<std::string> device_args(const QemuCommand& cmd, const std::string& prefix) {
  std::vector<std::string> out;
  for (std::size_t i = 0; i + 1 < cmd.argv.size(); ++i) {
    if (cmd.argv[i] == "-device" && cmd.argv[i + 1].rfind(prefix, 0) == 0) out.push_back(cmd.argv[i + 1]);
  }
  return out;
}

TEST(VarsTemplate, MatchesTheCodeFileFamily) {
  EXPECT_EQ(vars_template_for("OVMF_CODE_4M.fd"), "OVMF_VARS_4M.fd");
  EXPECT_EQ(vars_template_for("OVMF_CODE.fd"), "OVMF_VARS.fd");
  EXPECT_EQ(vars_template_for("OVMF_CODE_4M.secboot.fd"), "OVMF_VARS_4M.ms.fd");
  EXPECT_EQ(vars_template_for("OVMF_CODE_4M.ms.fd"), "OVMF_VARS_4M.ms.fd");
  EXPECT_EQ(vars_template_for("OVMF_CODE.secboot.fd"), "OVMF_VARS.ms.fd");
  EXPECT_EQ(vars_template_for("OVMF_CODE_4M.snakeoil.fd"), "OVMF_VARS_4M.snakeoil.fd");
}

TEST(CommandLine, BootOrderFollowsOrderThenIdWhateverTheInputOrder) {
  std::vector<DeviceConfig> devices{disk(9, 5, "/a.img"), disk(4, 5, "/b.img"), disk(2, 7, "/c.img")};
  auto args = device_args(build_command_line(vm_entry(), devices, facts()), "virtio-blk-pci");
  ASSERT_EQ(args.size(), 3u);
  EXPECT_NE(args[0].find("id=disk4,serial=S4,bootindex=1"), std::string::npos) << args[0];
  EXPECT_NE(args[1].find("id=disk9,serial=S9,bootindex=2"), std::string::npos) << args[1];
  EXPECT_NE(args[2].find("id=disk2,serial=S2,bootindex=3"), std::string::npos) << args[2];
  std::reverse(devices.begin(), devices.end());
  EXPECT_EQ(device_args(build_command_line(vm_entry(), devices, facts()), "virtio-blk-pci"), args);
}

TEST(CommandLine, DoublesCommasInsidePathValues) {
  std::vector<DeviceConfig> devices{disk(1, 1, "/mnt/pool/a,b.img")};
  auto argv = build_command_line(vm_entry(), devices, facts()).argv;
  EXPECT_NE(std::find(argv.begin(), argv.end(),
                      "driver=file,filename=/mnt/pool/a,,b.img,node-name=drive-disk1-file,cache.direct=on,"
                      "aio=threads,discard=unmap"),
            argv.end());
}

TEST(CommandLine, UserArgumentsComeLastAfterTheTestHooks) {
  auto vm = vm_entry();
  vm.command_line_args = "-device pvpanic";
  auto f = facts();
  f.extra_args = {"-S"};
  auto argv = build_command_line(vm, {}, f).argv;
  ASSERT_GE(argv.size(), 3u);
  EXPECT_EQ((std::vector<std::string>(argv.end() - 3, argv.end())),
            (std::vector<std::string>{"-device", "pvpanic", "-S"}));
}

TEST(CommandLine, AcceleratorFollowsKvmAvailability) {
  auto f = facts();
  auto tcg = build_command_line(vm_entry(), {}, f).argv;
  f.kvm_usable = true;
  auto kvm = build_command_line(vm_entry(), {}, f).argv;
  auto accel = [](const std::vector<std::string>& argv) {
    return *(std::find(argv.begin(), argv.end(), "-accel") + 1);
  };
  EXPECT_EQ(accel(tcg), "tcg");
  EXPECT_EQ(accel(kvm), "kvm");
}

TEST(CommandLine, IsDeterministic) {
  std::vector<DeviceConfig> devices{disk(1, 1, "/a.img")};
  EXPECT_EQ(build_command_line(vm_entry(), devices, facts()).argv,
            build_command_line(vm_entry(), devices, facts()).argv);
}

}  // namespace
}  // namespace mw::vm::hypervisor::qemu
