// Every parser that sees unauthenticated input must either parse or throw ScramError, never
// crash; a parsed client-final message is also run through a server exchange.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "auth/api_key_format.hpp"
#include "auth/crypto.hpp"
#include "auth/scram.hpp"

namespace auth = mw::plugins::auth;
namespace scram = mw::plugins::auth::scram;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  auth::parse_api_key(in);
  auth::parse_scram_key_user(in);
  std::string decoded;
  if (auth::base64_decode(in, decoded) && auth::base64_encode(decoded) != in) __builtin_trap();

  try {
    auto first = scram::parse_client_first(in);
    // Cheap secrets: iteration counts do not matter for parsing.
    scram::StoredSecrets secrets{"saltsaltsaltsalt", 1, std::string(64, 'k'), std::string(64, 's')};
    scram::ServerExchange server(auth::HashAlg::Sha512, first, secrets, "srv");
    std::string final = "c=" + auth::base64_encode(first.gs2_header) + ",r=" + first.nonce +
                        "srv,p=" + auth::base64_encode(std::string(64, 'p'));
    if (server.finish(scram::parse_client_final(final))) __builtin_trap();  // a made-up proof never passes
  } catch (const scram::ScramError&) {
  }
  try {
    scram::parse_client_final(in);
  } catch (const scram::ScramError&) {
  }
  try {
    scram::parse_server_first(in);
  } catch (const scram::ScramError&) {
  }
  try {
    scram::parse_server_final(in);
  } catch (const scram::ScramError&) {
  }
  return 0;
}
