#include <middlewared/errors.hpp>

#include <cstring>
#include <map>

namespace mw {

const char* ValidationErrors::what() const noexcept {
  // TrueNAS renders each entry as "[ERRNAME] attribute: message\n" (attribute None when absent).
  what_.clear();
  for (const auto& e : errors_) {
    what_ += "[" + errno_name(e.errnum) + "] " + e.attribute.value_or("None") + ": " + e.message + "\n";
  }
  if (is_single()) what_.pop_back();
  return what_.c_str();
}

std::string errno_name(int errnum) {
  static const std::map<int, std::string> custom = {
      {201, "ENOMETHOD"},         {202, "ESERVICESTARTFAILURE"},      {203, "EALERTCHECKERUNAVAILABLE"},
      {204, "EREMOTENODEERROR"},  {205, "EDATASETISLOCKED"},          {206, "EINVALIDRRDTIMESTAMP"},
      {207, "ENOTAUTHENTICATED"}, {208, "ESSLCERTVERIFICATIONERROR"}, {209, "EREBOOTREQUIRED"},
      {210, "EHAUNAVAILABLE"}};
  if (auto it = custom.find(errnum); it != custom.end()) return it->second;
  if (const char* name = strerrorname_np(errnum)) return name;
  return "EUNKNOWN";
}

}  // namespace mw
