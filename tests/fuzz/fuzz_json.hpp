#pragma once
// For the fuzz targets: an answer the daemon would send must be JSON, or the run stops here.
#include <string_view>

#include <boost/json/parse.hpp>

namespace mw::fuzz {

inline void must_be_json(std::string_view text) {
  boost::system::error_code ec;
  boost::json::parse(text, ec);
  if (ec) __builtin_trap();
}

}  // namespace mw::fuzz
