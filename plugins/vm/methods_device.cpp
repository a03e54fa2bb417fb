// vm.device.* as data: name, roles, handler. Schemas: schemas/vm/device/<method>.{params,result}.json.
#include "choices.hpp"
#include "device_convert.hpp"
#include "device_service.hpp"
#include "method_tables.hpp"

namespace mw::vm {

void register_device_methods(PluginContext& ctx, DeviceService& devices, Choices& choices) {
  const std::vector<std::string> read = {"VM_DEVICE_READ"}, write = {"VM_DEVICE_WRITE"};
  auto add = [&](auto&&... args) { add_plain_method(ctx, std::forward<decltype(args)>(args)...); };
  auto redact = [](CallContext& c) { return !sees_secrets(c, "VM_DEVICE_WRITE"); };
  auto maybe_redact = [redact](CallContext& c, json::object entry) -> json::value {
    return redact(c) ? redact_device_entry(std::move(entry)) : entry;
  };

  add(
      "vm.device.query", "Query VM devices.", read,
      [&devices, redact](CallContext& c, json::array& p) {
        return devices.query(array_param(p, 0), object_param(p, 1), redact(c));
      },
      true, Blocks::Never);  // the in-memory catalog
  add(
      "vm.device.get_instance", "Return the device with the given id.", read,
      [&devices, redact](CallContext& c, json::array& p) {
        return devices.get_instance(int_param(p, 0), object_param(p, 1), redact(c));
      },
      false, Blocks::Never);
  add("vm.device.create", "Create a VM device.", write, [&devices, maybe_redact](CallContext& c, json::array& p) {
    return maybe_redact(c, devices.create(object_param(p, 0)));
  });
  add("vm.device.update", "Update a VM device (attributes are merged).", write,
      [&devices, maybe_redact](CallContext& c, json::array& p) {
        return maybe_redact(c, devices.update(int_param(p, 0), object_param(p, 1)));
      });
  add("vm.device.delete", "Delete a VM device.", write, [&devices](CallContext&, json::array& p) -> json::value {
    devices.remove(int_param(p, 0), object_param(p, 1));
    return true;
  });
  add("vm.device.bind_choices", "Addresses a display may listen on.", read,
      [&choices](CallContext&, json::array&) -> json::value { return choices.bind_choices(); });
  add("vm.device.nic_attach_choices", "Host interfaces a NIC may attach to.", read,
      [&choices](CallContext&, json::array&) -> json::value { return choices.nic_attach_choices(); });
  add(
      "vm.device.iotype_choices", "Disk I/O modes.", read,
      [&choices](CallContext&, json::array&) -> json::value { return choices.iotype_choices(); }, false, Blocks::Never);
  add(
      "vm.device.usb_controller_choices", "USB controller models.", read,
      [&choices](CallContext&, json::array&) -> json::value { return choices.usb_controller_choices(); }, false,
      Blocks::Never);
  add("vm.device.usb_passthrough_choices", "Host USB devices.", read,
      [&choices](CallContext&, json::array&) -> json::value { return choices.usb_passthrough_choices(); });
  add("vm.device.usb_passthrough_device", "One host USB device.", read,
      [&choices](CallContext&, json::array& p) -> json::value {
        const std::string device(p.at(0).as_string());
        auto all = choices.usb_passthrough_choices();
        if (auto* found = all.if_contains(device)) return *found;
        json::object capability{{"product", nullptr},   {"product_id", nullptr}, {"vendor", nullptr},
                                {"vendor_id", nullptr}, {"bus", nullptr},        {"device", nullptr}};
        return json::object{{"capability", std::move(capability)},
                            {"available", false},
                            {"error", "USB device " + device + " not found"},
                            {"description", ""}};
      });
  add("vm.device.passthrough_device_choices", "Host PCI devices.", read,
      [&choices](CallContext&, json::array&) -> json::value { return choices.passthrough_device_choices(); });
  add("vm.device.passthrough_device", "One host PCI device.", read,
      [&choices](CallContext&, json::array& p) -> json::value {
        return choices.passthrough_device(std::string(p.at(0).as_string()));
      });
  add("vm.device.iommu_enabled", "Whether the host has an active IOMMU.", read,
      [&choices](CallContext&, json::array&) -> json::value { return choices.iommu_enabled(); });
  add("vm.device.disk_choices", "zvols not yet used by a DISK device.", read,
      [&choices](CallContext&, json::array&) -> json::value { return choices.disk_choices(); });
  add("vm.device.virtual_size", "Virtual size in bytes of a disk image (a path, or a device id).", read,
      [&choices](CallContext&, json::array& p) -> json::value { return choices.virtual_size(p.at(0)); });
}

void register_device_convert(PluginContext& ctx, DeviceConverter& converter) {
  MethodSpec spec;
  spec.name = "vm.device.convert";
  spec.description = "Switch a DISK/RAW device to VIRTIO (device id), or convert between a disk image and a zvol.";
  spec.roles = {"VM_DEVICE_WRITE"};
  spec.job = true;
  spec.job_lock = [](const json::array&) { return std::string("vm.device.convert"); };
  spec.lock_queue_size = 1;
  spec.handler = [&converter](CallContext& c, json::array& p) -> json::value {
    return converter.convert(p.at(0), c.job);
  };
  ctx.add_method(std::move(spec));
}

}  // namespace mw::vm
