#include "vm_metrics.hpp"

#include "hypervisor/qemu/tap.hpp"

#include <unistd.h>

#include <fstream>
#include <map>
#include <sstream>

namespace mw::vm {

std::optional<double> process_cpu_seconds(int pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string text;
  if (!std::getline(in, text)) return std::nullopt;
  // The command name (field 2) may hold spaces: count fields after its closing parenthesis.
  auto close = text.rfind(')');
  if (close == std::string::npos) return std::nullopt;
  std::istringstream fields(text.substr(close + 2));
  std::string field;
  unsigned long long utime = 0, stime = 0;
  for (int i = 3; i <= 15 && fields >> field; ++i) {
    if (i == 14) utime = std::stoull(field);
    if (i == 15) stime = std::stoull(field);
  }
  return static_cast<double>(utime + stime) / static_cast<double>(::sysconf(_SC_CLK_TCK));
}

std::uint64_t process_resident_bytes(int pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/statm");
  std::uint64_t size = 0, resident = 0;
  if (!(in >> size >> resident)) return 0;
  return resident * static_cast<std::uint64_t>(::sysconf(_SC_PAGESIZE));
}

VmCounters read_vm_counters(VmState& state, int64_t id, hypervisor::Domain& domain) {
  VmCounters c;
  c.cpu_seconds = process_cpu_seconds(domain.pid());
  c.resident_bytes = process_resident_bytes(domain.pid());
  c.balloon_actual = domain.balloon_actual();
  const auto stats = domain.monitor_command("query-blockstats", {});
  for (const auto& dev : stats.as_array()) {
    const auto& s = dev.as_object().at("stats").as_object();
    c.block_read += s.at("rd_bytes").to_number<double>();
    c.block_written += s.at("wr_bytes").to_number<double>();
  }
  // Bridged NICs have a tap on the host whose counters are the guest's traffic (what the tap
  // sends, the guest receives).
  for (const auto& dev : state.catalog.devices_of(id)) {
    const auto* nic = dev.get<NicAttributes>();
    if (!nic || !nic->nic_attach || nic->nic_attach->empty()) continue;
    auto bytes = hypervisor::qemu::interface_bytes(hypervisor::qemu::tap_name(dev.id));
    if (!bytes) continue;
    c.nics.push_back({dev.id, static_cast<double>(bytes->transmitted), static_cast<double>(bytes->received)});
  }
  return c;
}

void register_vm_observability(PluginContext& ctx, VmState& state, RuntimeRegistry& registry) {
  ctx.add_health_source([&state, &registry](json::object& health) {
    const auto version = registry.hypervisor().version();
    health["hypervisor"] = "qemu " + (version.empty() ? std::string("unknown") : version);
    health["kvm"] = registry.hypervisor().accelerator() == "kvm";
    health["accelerator"] = registry.hypervisor().accelerator();
    health["accelerator_reason"] = registry.hypervisor().accelerator_reason();
    std::int64_t running = 0;
    for (const auto& [id, runtime] : registry.all()) running += runtime->active() ? 1 : 0;
    health["vms"] = json::object{{"total", static_cast<std::int64_t>(state.catalog.vm_count())}, {"running", running}};
  });

  ctx.add_metrics_source([&state, &registry](std::vector<MetricSample>& out) {
    const auto version = registry.hypervisor().version();
    out.push_back({"middlewared_vm_host_info",
                   "The hypervisor VMs run on: its accelerator and QEMU version.",
                   "gauge",
                   {{"accelerator", registry.hypervisor().accelerator()},
                    {"qemu_version", version.empty() ? "unknown" : version}},
                   1});
    std::map<std::string, int> by_state{{"STOPPED", 0},   {"STARTING", 0}, {"RUNNING", 0},
                                        {"SUSPENDED", 0}, {"STOPPING", 0}, {"ERROR", 0}};
    for (const auto& vm : state.catalog.all_vms()) {
      const auto id = vm.id;
      const std::string& name = vm.name;
      auto runtime = registry.find(id);
      by_state[runtime ? runtime->snapshot().state : "STOPPED"]++;
      auto domain = runtime ? runtime->live_domain() : nullptr;
      if (!domain) continue;
      const std::vector<std::pair<std::string, std::string>> labels{{"vm", name}, {"id", std::to_string(id)}};
      try {
        const auto c = read_vm_counters(state, id, *domain);
        if (c.cpu_seconds)
          out.push_back({"middlewared_vm_cpu_seconds_total", "CPU time used by the VM's QEMU process.", "counter",
                         labels, *c.cpu_seconds});
        out.push_back({"middlewared_vm_balloon_actual_bytes", "Memory the guest currently has (balloon).", "gauge",
                       labels, static_cast<double>(c.balloon_actual)});
        out.push_back({"middlewared_vm_block_read_bytes_total", "Bytes read from the VM's disks.", "counter", labels,
                       c.block_read});
        out.push_back({"middlewared_vm_block_written_bytes_total", "Bytes written to the VM's disks.", "counter",
                       labels, c.block_written});
        for (const auto& nic : c.nics) {
          auto nic_labels = labels;
          nic_labels.emplace_back("nic", std::to_string(nic.id));
          out.push_back({"middlewared_vm_network_receive_bytes_total", "Bytes the VM received on a bridged NIC.",
                         "counter", nic_labels, nic.received});
          out.push_back({"middlewared_vm_network_transmit_bytes_total", "Bytes the VM sent on a bridged NIC.",
                         "counter", nic_labels, nic.transmitted});
        }
      } catch (const std::exception&) {
        // The VM went away during the scrape; its figures are simply absent this time.
      }
    }
    for (const auto& [s, n] : by_state)
      out.push_back(
          {"middlewared_vms", "Configured VMs by runtime state.", "gauge", {{"state", s}}, static_cast<double>(n)});
  });
}

}  // namespace mw::vm
