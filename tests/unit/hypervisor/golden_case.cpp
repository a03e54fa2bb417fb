#include "golden_case.hpp"

#include <algorithm>
#include <fstream>
#include <sstream>

#include <boost/json/parse.hpp>

namespace mw::vm::hypervisor::qemu::testing {

namespace fs = std::filesystem;

void write_text(const fs::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
}

std::vector<std::string> golden_case_names(const fs::path& dir) {
  std::vector<std::string> names;
  for (const auto& entry : fs::directory_iterator(dir)) {
    if (entry.path().extension() == ".json") names.push_back(entry.path().stem().string());
  }
  std::sort(names.begin(), names.end());
  return names;
}

namespace {

HostFacts facts_from_json(const json::object& f, const json::object& vm) {
  HostFacts facts;
  auto flag = [&](const char* key, bool fallback) {
    auto* v = f.if_contains(key);
    return v && v->is_bool() ? v->get_bool() : fallback;
  };
  auto text = [&](const char* key) -> std::optional<std::string> {
    auto* v = f.if_contains(key);
    if (!v || !v->is_string()) return std::nullopt;
    return std::string(v->get_string());
  };
  facts.kvm_usable = flag("kvm_usable", false);
  facts.vhost_net = flag("vhost_net", false);
  facts.spice = flag("spice", true);
  facts.vfio = flag("vfio", false);
  facts.swtpm = flag("swtpm", false);
  facts.usb_controllers = {"piix3-usb-uhci", "piix4-usb-uhci", "usb-ehci", "ich9-usb-ehci1",
                           "pci-ohci",       "nec-usb-xhci",   "qemu-xhci"};
  if (auto* taps = f.if_contains("tap_names"); taps && taps->is_object()) {
    for (const auto& [id, name] : taps->get_object()) {
      facts.tap_names[std::stoll(std::string(id))] = std::string(name.as_string());
    }
  }
  if (auto* paths = f.if_contains("no_direct_io_paths"); paths && paths->is_array()) {
    for (const auto& p : paths->get_array()) facts.no_direct_io_paths.insert(std::string(p.as_string()));
  }
  facts.kernel = text("kernel");
  facts.initrd = text("initrd");
  facts.append = text("append");
  const auto id = vm.at("id").to_number<std::int64_t>();
  facts.paths = state_paths("/run/mw/vm/" + std::string(vm.at("uuid").as_string()), "/run/mw/nvram", id,
                            std::string(vm.at("name").as_string()));
  return facts;
}

}  // namespace

VmConfig GoldenCase::typed_vm() const { return vm_from_json(vm); }

std::vector<DeviceConfig> GoldenCase::typed_devices() const {
  std::vector<DeviceConfig> out;
  for (const auto& d : devices) {
    out.push_back(device_from_json(d.as_object()));
    // The CD-ROM bus is no client attribute; the fixtures name it as "type".
    if (auto* cdrom = out.back().get<CdromAttributes>())
      if (auto* type = d.as_object().at("attributes").as_object().if_contains("type"); type && type->is_string())
        cdrom->bus = std::string(type->get_string());
  }
  return out;
}

GoldenCase load_golden_case(const fs::path& dir, const std::string& name) {
  GoldenCase c;
  c.name = name;
  c.json_path = dir / (name + ".json");
  auto root = boost::json::parse(file_text(c.json_path)).as_object();
  c.vm = root.at("vm").as_object();
  c.devices = root.at("devices").as_array();
  static const json::object no_facts;
  auto* facts = root.if_contains("facts");
  c.facts = facts_from_json(facts ? facts->as_object() : no_facts, c.vm);
  if (auto* launch = root.if_contains("launch"); launch && launch->is_string()) {
    c.needs_kvm = launch->get_string() == "kvm";
    c.launch = c.needs_kvm;
    c.launch_note = launch->get_string();
  }
  return c;
}

std::string render(const QemuCommand& command) {
  std::string out;
  for (const auto& arg : command.argv) out += arg + "\n";
  for (const auto& s : command.secret_files) out += "#secret-file " + s.path + " " + s.content + "\n";
  for (const auto& p : command.display_passwords) out += "#display-password " + p.protocol + " " + p.password + "\n";
  if (!command.vars_template.empty()) out += "#vars-template " + command.vars_template + "\n";
  if (command.balloon_target) out += "#balloon-target " + std::to_string(*command.balloon_target) + "\n";
  return out;
}

std::string render_error(const std::string& message) { return message + "\n"; }

std::string line_diff(const std::string& expected, const std::string& actual) {
  auto split = [](const std::string& text) {
    std::vector<std::string> lines;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) lines.push_back(line);
    return lines;
  };
  const auto a = split(expected), b = split(actual);
  // Longest common subsequence, then walk it: "-" only in expected, "+" only in actual.
  std::vector<std::vector<int>> lcs(a.size() + 1, std::vector<int>(b.size() + 1, 0));
  for (std::size_t i = a.size(); i-- > 0;) {
    for (std::size_t j = b.size(); j-- > 0;) {
      lcs[i][j] = a[i] == b[j] ? lcs[i + 1][j + 1] + 1 : std::max(lcs[i + 1][j], lcs[i][j + 1]);
    }
  }
  std::string out;
  std::size_t i = 0, j = 0;
  while (i < a.size() || j < b.size()) {
    if (i < a.size() && j < b.size() && a[i] == b[j]) {
      ++i, ++j;
    } else if (j < b.size() && (i == a.size() || lcs[i][j + 1] >= lcs[i + 1][j])) {
      out += "+ " + b[j++] + "\n";
    } else {
      out += "- " + a[i++] + "\n";
    }
  }
  return out;
}

}  // namespace mw::vm::hypervisor::qemu::testing
