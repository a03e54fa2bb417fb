#include "app/boot_checks.hpp"

#include <set>
#include <string_view>

#include <middlewared/credentials.hpp>

namespace mw::app {

namespace {

// "vm/device/create.params.json" -> "vm.device.create"; "" for a file of shared definitions.
std::string method_of_schema_file(std::string_view path) {
  for (std::string_view suffix : {".params.json", ".result.json"}) {
    if (path.size() > suffix.size() && path.ends_with(suffix)) {
      std::string name(path.substr(0, path.size() - suffix.size()));
      for (char& c : name)
        if (c == '/') c = '.';
      return name;
    }
  }
  return {};
}

}  // namespace

std::vector<std::string> contract_problems(const std::vector<MethodInfo>& methods,
                                           const std::vector<std::pair<std::string, std::string>>& schema_files,
                                           const std::map<std::string, RoleSpec>& roles) {
  std::vector<std::string> problems;
  std::set<std::string, std::less<>> names;
  for (const auto& m : methods) names.insert(m.spec->name);
  for (const auto& [path, text] : schema_files) {
    std::string method = method_of_schema_file(path);
    if (!method.empty() && !names.contains(method))
      problems.push_back("schemas/" + path + " belongs to no method (" + method + " is not registered)");
  }
  auto known = [&roles](const std::string& role) {
    return role == kFullAdmin || role == kReadonlyAdmin || roles.contains(role);
  };
  for (const auto& m : methods)
    for (const auto& role : m.spec->roles)
      if (!known(role))
        problems.push_back("method " + m.spec->name + " names role " + role + ", which no plugin declares");
  for (const auto& [name, spec] : roles)
    for (const auto& role : spec.includes)
      if (!known(role)) problems.push_back("role " + name + " includes role " + role + ", which no plugin declares");
  return problems;
}

}  // namespace mw::app
