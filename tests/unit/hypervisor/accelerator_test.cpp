// The accelerator choice from what the host says about KVM (pure: the probes are filled by hand).
#include <gtest/gtest.h>

#include "hypervisor/qemu/accelerator.hpp"

namespace mw::vm::hypervisor::qemu {
namespace {

KvmProbe working_kvm() {
  KvmProbe p;
  p.device_opens = true;
  p.api_version = 12;
  p.creates_vm = true;
  p.hardware_virtualization = true;
  return p;
}

KvmProbe paravirtual_only_kvm() {
  KvmProbe p = working_kvm();
  p.paravirtual_module = true;
  p.hardware_virtualization = false;
  return p;
}

TEST(Accelerator, ParsesTheThreeModesAndNothingElse) {
  EXPECT_EQ(parse_accelerator_mode("auto"), AcceleratorMode::Auto);
  EXPECT_EQ(parse_accelerator_mode("kvm"), AcceleratorMode::Kvm);
  EXPECT_EQ(parse_accelerator_mode("tcg"), AcceleratorMode::Tcg);
  EXPECT_FALSE(parse_accelerator_mode("KVM"));
  EXPECT_FALSE(parse_accelerator_mode(""));
  EXPECT_FALSE(parse_accelerator_mode("kvm:tcg"));
}

TEST(Accelerator, AutoTakesKvmWhereItRunsOrdinaryGuests) {
  auto choice = choose_accelerator(AcceleratorMode::Auto, working_kvm());
  EXPECT_EQ(choice.name, "kvm");
  EXPECT_EQ(choice.reason, "KVM: /dev/kvm can run ordinary guests");
  EXPECT_TRUE(choice.refusal.empty());
}

TEST(Accelerator, AutoKeepsKvmForNestedHostsThatAlsoLoadKvmPvm) {
  KvmProbe p = working_kvm();
  p.paravirtual_module = true;  // vmx/svm present: the ordinary KVM module serves guests
  EXPECT_EQ(choose_accelerator(AcceleratorMode::Auto, p).name, "kvm");
}

TEST(Accelerator, AutoFallsBackToTcgOnAParavirtualOnlyKvm) {
  auto choice = choose_accelerator(AcceleratorMode::Auto, paravirtual_only_kvm());
  EXPECT_EQ(choice.name, "tcg");
  EXPECT_EQ(choice.reason,
            "TCG (software emulation): /dev/kvm is the paravirtual-only kvm_pvm module and the CPU has neither vmx "
            "nor svm: it cannot run an unmodified guest");
  EXPECT_TRUE(choice.refusal.empty());
}

TEST(Accelerator, AutoFallsBackToTcgWithoutDevKvm) {
  KvmProbe p;
  p.open_error = "No such file or directory";
  auto choice = choose_accelerator(AcceleratorMode::Auto, p);
  EXPECT_EQ(choice.name, "tcg");
  EXPECT_EQ(choice.reason,
            "TCG (software emulation): /dev/kvm cannot be opened read-write (No such file or directory)");
}

TEST(Accelerator, AutoFallsBackToTcgWhenTheKvmApiMisbehaves) {
  KvmProbe wrong_version = working_kvm();
  wrong_version.api_version = 11;
  EXPECT_EQ(kvm_unusable_reason(wrong_version), "/dev/kvm answers KVM API version 11, not 12");
  EXPECT_EQ(choose_accelerator(AcceleratorMode::Auto, wrong_version).name, "tcg");

  KvmProbe no_vm = working_kvm();
  no_vm.creates_vm = false;
  no_vm.create_vm_error = "Device or resource busy";
  EXPECT_EQ(kvm_unusable_reason(no_vm), "/dev/kvm refuses to create a VM (Device or resource busy)");
  EXPECT_EQ(choose_accelerator(AcceleratorMode::Auto, no_vm).name, "tcg");
}

TEST(Accelerator, ForcedTcgIgnoresAWorkingKvm) {
  auto choice = choose_accelerator(AcceleratorMode::Tcg, working_kvm());
  EXPECT_EQ(choice.name, "tcg");
  EXPECT_EQ(choice.reason, "TCG forced by the configuration (accelerator = tcg)");
}

TEST(Accelerator, ForcedKvmWhereItCannotRunCarriesTheRefusalForVmStart) {
  auto choice = choose_accelerator(AcceleratorMode::Kvm, paravirtual_only_kvm());
  EXPECT_EQ(choice.name, "kvm");
  EXPECT_EQ(choice.refusal,
            "KVM was forced (accelerator = kvm) but cannot run guests on this host: /dev/kvm is the "
            "paravirtual-only kvm_pvm module and the CPU has neither vmx nor svm: it cannot run an unmodified guest");
  EXPECT_TRUE(choose_accelerator(AcceleratorMode::Kvm, working_kvm()).refusal.empty());
}

TEST(Accelerator, ProbeOfThisHostExplainsEveryFailure) {
  // Whatever this host has, a KVM that is not usable comes with a reason, and the probe never throws.
  const auto probe = probe_kvm();
  if (!probe.device_opens) {
    EXPECT_FALSE(probe.open_error.empty());
  }
  const auto choice = choose_accelerator(AcceleratorMode::Auto, probe);
  EXPECT_EQ(choice.name == "kvm", kvm_unusable_reason(probe).empty());
  EXPECT_FALSE(choice.reason.empty());
}

}  // namespace
}  // namespace mw::vm::hypervisor::qemu
