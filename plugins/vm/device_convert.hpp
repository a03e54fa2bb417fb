#pragma once
// vm.device.convert: with a device id, switch a DISK/RAW device's bus to
// VIRTIO (its VM stopped); with {source, destination}, copy between a disk image and a block
// device (zvol) with `qemu-img convert`.
#include <middlewared/json.hpp>

#include "device_service.hpp"
#include "vm_state.hpp"

namespace mw {
class Job;
}

namespace mw::vm {

class DeviceConverter {
 public:
  DeviceConverter(VmState& state, DeviceService& devices) : state_(state), devices_(devices) {}
  json::value convert(const json::value& data, Job* job);

 private:
  json::object to_virtio(int64_t device_id);
  bool convert_image(const json::object& data, Job* job);

  VmState& state_;
  DeviceService& devices_;
};

}  // namespace mw::vm
