// the plugin-level checks of vm.create / vm.update, message for message.
#include "plugin_fixture.hpp"

namespace mw::vm::testing {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

class VmValidationTest : public VmPluginTest {};

TEST_F(VmValidationTest, AcceptsTheDocumentedExample) {
  EXPECT_THAT(create_errors(R"({"name": "testvm", "description": "Test virtual machine", "vcpus": 2, "cores": 1,
      "threads": 1, "memory": 2048, "bootloader": "UEFI", "autostart": false, "time": "UTC", "shutdown_timeout": 90})"),
              IsEmpty());
}

TEST_F(VmValidationTest, MinMemoryAboveMemory) {
  EXPECT_THAT(
      create_errors(R"({"name": "a", "memory": 512, "min_memory": 513})"),
      ElementsAre(err("vm_create.min_memory", "Minimum memory should not be greater than defined/maximum memory")));
  EXPECT_THAT(create_errors(R"({"name": "b", "memory": 512, "min_memory": 512})"), IsEmpty());
}

TEST_F(VmValidationTest, CommandLineArgsMustShellSplit) {
  EXPECT_THAT(create_errors(R"({"name": "a", "memory": 512, "command_line_args": "-device \"virtio-rng"})"),
              ElementsAre(err("vm_create.command_line_args", "Parse error: No closing quotation")));
}

TEST_F(VmValidationTest, VcpuProductCappedAt255EvenWithoutKvm) {
  EXPECT_THAT(create_errors(R"({"name": "a", "memory": 512, "vcpus": 16, "cores": 4, "threads": 4})"),
              ElementsAre(err("vm_create.vcpus",
                              "Maximum 255 vcpus are supported.Please ensure the product of \"vm_create.vcpus\", "
                              "\"vm_create.cores\" and \"vm_create.threads\" is less than 255.")));
  // TCG counts as virtualization: many vCPUs are fine on a host without KVM.
  ASSERT_FALSE(host->kvm);
  EXPECT_THAT(create_errors(R"({"name": "b", "memory": 512, "vcpus": 5, "cores": 3, "threads": 17})"), IsEmpty());
}

TEST_F(VmValidationTest, ArchitectureAndMachineChecks) {
  EXPECT_THAT(create_errors(R"({"name": "a", "memory": 512, "arch_type": "sparc64"})"),
              ElementsAre(err("vm_create.arch_type", "Specified architecture type is not supported on this system")));
  EXPECT_THAT(create_errors(R"({"name": "a", "memory": 512, "machine_type": "q35"})"),
              ElementsAre(err("vm_create.arch_type", "Must be specified when \"vm_create.machine_type\" is set")));
  EXPECT_THAT(create_errors(R"({"name": "a", "memory": 512, "arch_type": "i686", "machine_type": "virt"})"),
              ElementsAre(err("vm_create.machine_type",
                              "Specified machine type is not supported for ['pc', 'q35', 'isapc'] architecture type")));
  EXPECT_THAT(create_errors(R"({"name": "a", "memory": 512, "arch_type": "x86_64", "machine_type": "q35"})"),
              IsEmpty());
}

TEST_F(VmValidationTest, Aarch64GuestsRefuseX86Features) {
  host->machines["aarch64"] = {"virt", "virt-9.2"};
  EXPECT_THAT(
      create_errors(R"({"name": "a", "memory": 512, "arch_type": "aarch64", "bootloader": "UEFI_CSM",
                                "hyperv_enlightenments": true, "hide_from_msr": true})"),
      ElementsAre(
          err("vm_create.bootloader", "UEFI_CSM (legacy BIOS) is x86-only and not supported for aarch64 guests"),
          err("vm_create.hyperv_enlightenments",
              "Hyper-V enlightenments are x86-only and not supported for aarch64 guests"),
          err("vm_create.hide_from_msr", "hide_from_msr is x86-specific and not supported for aarch64 guests"),
          err("vm_create.bootloader_ovmf", "Invalid bootloader ovmf choice specified")));
}

TEST_F(VmValidationTest, HostCpuModesNeedTheHostArchitecture) {
  host->machines["aarch64"] = {"virt"};
  EXPECT_THAT(
      create_errors(R"({"name": "a", "memory": 512, "arch_type": "aarch64", "cpu_mode": "HOST-PASSTHROUGH"})"),
      ::testing::Contains(err("vm_create.cpu_mode",
                              "HOST-PASSTHROUGH requires the guest architecture ('aarch64') to match the host "
                              "('x86_64'). Use CUSTOM with an explicit cpu_model for cross-architecture emulation.")));
  EXPECT_THAT(create_errors(R"({"name": "b", "memory": 512, "arch_type": "i686", "cpu_mode": "HOST-MODEL"})"),
              IsEmpty());
  EXPECT_THAT(create_errors(R"({"name": "c", "memory": 512, "cpu_mode": "HOST-MODEL"})"), IsEmpty());
}

TEST_F(VmValidationTest, CpuModelOnlyWithCustomAndFromTheChoices) {
  EXPECT_THAT(create_errors(R"({"name": "a", "memory": 512, "cpu_mode": "HOST-MODEL", "cpu_model": "EPYC"})"),
              ElementsAre(err("vm_create.cpu_model",
                              "This attribute should not be specified when \"cpu_mode\" is not \"CUSTOM\".")));
  EXPECT_THAT(create_errors(R"({"name": "a", "memory": 512, "cpu_model": "Pentium-9000"})"),
              ElementsAre(err("vm_create.cpu_model", "Please select a valid CPU model.")));
  EXPECT_THAT(create_errors(R"({"name": "a", "memory": 512, "cpu_model": "EPYC"})"), IsEmpty());
}

TEST_F(VmValidationTest, NameMustBeUniqueThenAlphanumeric) {
  create_vm("taken");
  EXPECT_THAT(create_errors(R"({"name": "taken", "memory": 512})"),
              ElementsAre(err("vm_create.name", "This name already exists.", EEXIST)));
  EXPECT_THAT(create_errors(R"({"name": "bad name!", "memory": 512})"),
              ElementsAre(err("vm_create.name", "Only alphanumeric characters are allowed.")));
  EXPECT_THAT(create_errors(R"({"name": "cloned-vm_2", "memory": 512})"), IsEmpty());
}

TEST_F(VmValidationTest, PinningNeedsAMatchingCpuset) {
  EXPECT_THAT(create_errors(R"({"name": "a", "memory": 512, "pin_vcpus": true})"),
              ElementsAre(err("vm_create.cpuset", "Must be specified when \"vm_create.pin_vcpus\" is set.")));
  EXPECT_THAT(
      create_errors(R"({"name": "a", "memory": 512, "vcpus": 2, "pin_vcpus": true, "cpuset": "0-2"})"),
      ElementsAre(
          err("vm_create.pin_vcpus",
              "Number of cpus in \"vm_create.cpuset\" must be equal to total number vcpus if pinning is enabled.")));
  EXPECT_THAT(create_errors(R"({"name": "a", "memory": 512, "vcpus": 2, "pin_vcpus": true, "cpuset": "0,3"})"),
              IsEmpty());
}

TEST_F(VmValidationTest, SecureBootForcesQ35AndSecureFirmware) {
  auto vm = call("vm.create", {js(R"({"name": "sb", "memory": 512, "enable_secure_boot": true})")}).as_object();
  EXPECT_EQ(vm.at("arch_type"), "x86_64");
  EXPECT_EQ(vm.at("machine_type"), "pc-q35-6.2");
  EXPECT_EQ(vm.at("bootloader_ovmf"), "OVMF_CODE_4M.secboot.fd");
  EXPECT_THAT(create_errors(R"({"name": "a", "memory": 512, "enable_secure_boot": true, "arch_type": "x86_64",
                                "machine_type": "pc"})"),
              ElementsAre(err("vm_create.machine_type", "Secure boot is only available in q35 machine type")));
  for (const char* plain : {"OVMF_CODE.fd", "OVMF_CODE_4M.fd"})
    EXPECT_THAT(
        create_errors(std::string(R"({"name": "a", "memory": 512, "enable_secure_boot": true, "bootloader_ovmf": ")") +
                      plain + "\"}"),
        ElementsAre(err("vm_create.bootloader_ovmf",
                        "Select a bootloader_ovmf that supports secure boot i.e OVMF_CODE_4M.secboot.fd")));
  int n = 0;
  for (const char* secure : {"OVMF_CODE.secboot.fd", "OVMF_CODE_4M.secboot.fd"})
    EXPECT_THAT(create_errors(R"({"name": "secure)" + std::to_string(n++) +
                              R"(", "memory": 512, "enable_secure_boot": true, "bootloader_ovmf": ")" + secure + "\"}"),
                IsEmpty());
}

TEST_F(VmValidationTest, Aarch64SecureBootNeedsVirt) {
  host->machines["aarch64"] = {"virt", "virt-9.2", "sbsa-ref"};
  EXPECT_THAT(create_errors(R"({"name": "a", "memory": 512, "enable_secure_boot": true, "arch_type": "aarch64",
                                "machine_type": "sbsa-ref", "bootloader_ovmf": "AAVMF_CODE.ms.fd"})"),
              ElementsAre(err("vm_create.machine_type", "aarch64 secure boot requires a virt machine type"),
                          err("vm_create.bootloader_ovmf", "Invalid bootloader ovmf choice specified")));
}

TEST_F(VmValidationTest, FirmwareMustBeAChoiceAndDefaultsTo4M) {
  EXPECT_THAT(create_errors(R"({"name": "a", "memory": 512, "bootloader_ovmf": "NOPE.fd"})"),
              ElementsAre(err("vm_create.bootloader_ovmf", "Invalid bootloader ovmf choice specified")));
  auto vm = call("vm.create", {js(R"({"name": "a", "memory": 512})")}).as_object();
  EXPECT_EQ(vm.at("bootloader_ovmf"), "OVMF_CODE_4M.fd");
}

TEST_F(VmValidationTest, UuidMustParse) {
  EXPECT_THAT(create_errors(R"({"name": "a", "memory": 512, "uuid": "not-a-uuid"})"),
              ElementsAre(err("vm_create.uuid", "Value error, UUID is not valid version 4")));
  auto vm = call("vm.create", {js(R"({"name": "a", "memory": 512, "uuid": "5f0c2d6e-1111-2222-3333-444455556666"})")});
  EXPECT_EQ(vm.as_object().at("uuid"), "5f0c2d6e-1111-2222-3333-444455556666");
}

TEST_F(VmValidationTest, AllErrorsComeTogetherInSpecOrder) {
  create_vm("dup");
  EXPECT_THAT(
      create_errors(R"({"name": "dup", "memory": 512, "min_memory": 600, "command_line_args": "'",
                                "cpu_mode": "HOST-MODEL", "cpu_model": "EPYC", "pin_vcpus": true})"),
      ElementsAre(
          err("vm_create.min_memory", "Minimum memory should not be greater than defined/maximum memory"),
          err("vm_create.command_line_args", "Parse error: No closing quotation"),
          err("vm_create.cpu_model", "This attribute should not be specified when \"cpu_mode\" is not \"CUSTOM\"."),
          err("vm_create.name", "This name already exists.", EEXIST),
          err("vm_create.cpuset", "Must be specified when \"vm_create.pin_vcpus\" is set.")));
}

TEST_F(VmValidationTest, UpdateUsesItsSchemaNameAndChecksTheMergedEntry) {
  int64_t id = create_vm("u1", "\"min_memory\": 256");
  create_vm("u2");
  auto errors = errors_of([&] { call("vm.update", {id, js(R"({"memory": 128, "name": "u2"})")}); });
  EXPECT_THAT(errors, ElementsAre(err("vm_update.min_memory",
                                      "Minimum memory should not be greater than defined/maximum memory"),
                                  err("vm_update.name", "This name already exists.", EEXIST)));
  // Keeping one's own name is not a clash.
  EXPECT_NO_THROW(call("vm.update", {id, js(R"({"name": "u1", "memory": 300})")}));
}

TEST_F(VmValidationTest, RenamingAnActiveVmIsRefused) {
  int64_t id = create_vm("running");
  runtime->states[id] = "RUNNING";
  try {
    call("vm.update", {id, js(R"({"name": "renamed"})")});
    FAIL() << "no error";
  } catch (const CallError& e) {
    EXPECT_EQ(e.message(), "VM name can only be changed when VM is inactive");
    EXPECT_EQ(e.errnum(), EFAULT);
  }
  EXPECT_NO_THROW(call("vm.update", {id, js(R"({"memory": 1024})")}));
}

}  // namespace
}  // namespace mw::vm::testing
