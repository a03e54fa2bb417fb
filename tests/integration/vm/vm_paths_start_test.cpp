// vm.start checks again where each disk really leads: a RAW file (or one of its directories) that
// became a link out of the storage roots after the device was created must not reach QEMU.
#include <gtest/gtest.h>

#include <fstream>

#include "vm_lifecycle_fixture.hpp"

namespace vm_it {
namespace {

namespace fs = std::filesystem;

TEST_F(VmLifecycleTest, StartRefusesARawFileThatNowLeadsOutOfTheRoots) {
  const auto outside = fs::temp_directory_path() / ("mw_vm_start_outside_" + std::to_string(::getpid()));
  fs::remove_all(outside);
  fs::create_directories(outside);
  std::ofstream(outside / "disk.img") << "HOST SECRET";
  const auto id = create_vm("life_swapped");
  const auto image = storage_ / "life_swapped.img";
  call("vm.device.create",
       {json::object{{"vm", id},
                     {"attributes", json::object{{"dtype", "RAW"}, {"path", image.string()}, {"size", 1 << 20}}}}});
  fs::remove(image);
  fs::create_symlink(outside / "disk.img", image);

  const auto error = error_of("vm.start", {id});
  EXPECT_EQ(error, "[EPERM] RAW device " + image.string() + ": The path must reside within a storage root (" +
                       storage_.string() + ")");
  EXPECT_EQ(status(id).at("state"), "STOPPED");
  fs::remove(image);
  fs::remove_all(outside);
}

}  // namespace
}  // namespace vm_it
