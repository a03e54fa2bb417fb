#pragma once
// Contracts checked once at start-up, before anything listens: every method schema file belongs to
// a method (a file whose method was renamed or removed would otherwise sit unused and unnoticed),
// and every role a method or another role names is declared by some plugin (a misspelt role would
// otherwise lock every caller but FULL_ADMIN out of the method). Each problem is one line.
#include <map>
#include <string>
#include <utility>
#include <vector>

#include <middlewared/method.hpp>
#include <middlewared/plugin.hpp>

namespace mw::app {

std::vector<std::string> contract_problems(const std::vector<MethodInfo>& methods,
                                           const std::vector<std::pair<std::string, std::string>>& schema_files,
                                           const std::map<std::string, RoleSpec>& roles);

}  // namespace mw::app
