#include "mw/util/percent.hpp"

#include <boost/url/encode.hpp>
#include <boost/url/pct_string_view.hpp>
#include <boost/url/rfc/unreserved_chars.hpp>

namespace mw::util {

std::optional<std::string> percent_decode(std::string_view text, bool plus_is_space) {
  auto checked = boost::urls::make_pct_string_view(text);  // refuses "%2" and "%zz"
  if (!checked) return std::nullopt;
  boost::urls::encoding_opts opts;
  opts.space_as_plus = plus_is_space;
  return checked->decode(opts);
}

std::string percent_encode(std::string_view text) { return boost::urls::encode(text, boost::urls::unreserved_chars); }

}  // namespace mw::util
