#include "mw/util/scram.hpp"

#include <cctype>
#include <charconv>
#include <vector>

#include "mw/util/base64.hpp"

namespace mw::util::scram {
namespace {

// Upper bound for an iteration count the parser accepts at all; a client applies its own, lower
// cap (ClientExchange::kMaxIterations).
constexpr int kMaxIterations = 10'000'000;

std::vector<std::string_view> split_commas(std::string_view s) {
  std::vector<std::string_view> out;
  std::size_t start = 0;
  while (true) {
    std::size_t comma = s.find(',', start);
    if (comma == std::string_view::npos) {
      out.push_back(s.substr(start));
      return out;
    }
    out.push_back(s.substr(start, comma - start));
    start = comma + 1;
  }
}

// "k=value" -> value, or throws naming the expected attribute.
std::string_view attribute(std::string_view part, char key, const char* what) {
  if (part.size() < 2 || part[0] != key || part[1] != '=')
    throw ScramError(std::string("expected ") + what + " ('" + key + "=')");
  return part.substr(2);
}

bool is_extension(std::string_view part) {
  return part.size() >= 2 && part[1] == '=' &&
         ((part[0] >= 'a' && part[0] <= 'z') || (part[0] >= 'A' && part[0] <= 'Z'));
}

void check_nonce(std::string_view nonce) {
  if (nonce.empty()) throw ScramError("empty nonce");
  for (unsigned char c : nonce)
    if (c < 0x21 || c > 0x7e || c == ',') throw ScramError("nonce contains a character that is not allowed");
}

std::string decode_saslname(std::string_view s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '=') {
      std::string_view esc = s.substr(i, 3);
      if (esc == "=2C")
        out.push_back(',');
      else if (esc == "=3D")
        out.push_back('=');
      else
        throw ScramError("invalid escape in user name");
      i += 2;
    } else {
      out.push_back(s[i]);
    }
  }
  return out;
}

std::string decode_b64(std::string_view text, const char* what) {
  std::string out;
  if (!base64_decode(text, out)) throw ScramError(std::string("invalid base64 in ") + what);
  return out;
}

// TrueNAS's nonces are base64 of this many random bytes, from either side.
constexpr std::size_t kBinaryNonceBytes = 32;

// The bytes of a TrueNAS-shaped client nonce, nullopt for any other.
std::optional<std::string> binary_nonce(std::string_view nonce) {
  std::string bytes;
  if (!base64_decode(nonce, bytes) || bytes.size() != kBinaryNonceBytes) return std::nullopt;
  return bytes;
}

std::string auth_message(std::string_view client_first_bare, std::string_view server_first,
                         std::string_view client_final_without_proof) {
  std::string m;
  m.reserve(client_first_bare.size() + server_first.size() + client_final_without_proof.size() + 2);
  m.append(client_first_bare).append(",").append(server_first).append(",").append(client_final_without_proof);
  return m;
}

}  // namespace

std::string escape_saslname(std::string_view name) {
  std::string out;
  for (char c : name) {
    if (c == ',')
      out += "=2C";
    else if (c == '=')
      out += "=3D";
    else
      out.push_back(c);
  }
  return out;
}

ClientFirst parse_client_first(std::string_view message) {
  // gs2-header = gs2-cbind-flag "," [authzid] ","
  std::size_t c1 = message.find(',');
  if (c1 == std::string_view::npos) throw ScramError("missing GS2 header");
  std::size_t c2 = message.find(',', c1 + 1);
  if (c2 == std::string_view::npos) throw ScramError("missing GS2 header");
  std::string_view flag = message.substr(0, c1);
  std::string_view authzid = message.substr(c1 + 1, c2 - c1 - 1);
  std::string_view binding_type;
  if (flag.starts_with("p=")) {
    binding_type = flag.substr(2);
    bool valid = !binding_type.empty();
    for (char c : binding_type) valid = valid && (std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-');
    if (!valid) throw ScramError("invalid channel binding type");
  } else if (flag != "n" && flag != "y") {
    throw ScramError("invalid GS2 channel binding flag");
  }
  if (!authzid.empty()) {
    std::string_view name = attribute(authzid, 'a', "authorization identity");
    if (name.empty()) throw ScramError("empty authorization identity");
    decode_saslname(name);  // validates the escapes
  }

  ClientFirst out;
  out.gs2_header = std::string(message.substr(0, c2 + 1));
  out.channel_binding_type = std::string(binding_type);
  out.bare = std::string(message.substr(c2 + 1));
  auto parts = split_commas(out.bare);
  if (!parts.empty() && parts[0].starts_with("m=")) throw ScramError("mandatory extensions are not supported");
  if (parts.size() < 2) throw ScramError("expected user name and nonce");
  std::string_view user = attribute(parts[0], 'n', "user name");
  if (user.empty()) throw ScramError("empty user name");
  out.username = decode_saslname(user);
  std::string_view nonce = attribute(parts[1], 'r', "nonce");
  check_nonce(nonce);
  out.nonce = std::string(nonce);
  for (std::size_t i = 2; i < parts.size(); ++i)
    if (!is_extension(parts[i])) throw ScramError("malformed attribute after the nonce");
  return out;
}

ServerFirst parse_server_first(std::string_view message) {
  auto parts = split_commas(message);
  if (!parts.empty() && parts[0].starts_with("m=")) throw ScramError("mandatory extensions are not supported");
  if (parts.size() < 3) throw ScramError("expected nonce, salt and iteration count");
  ServerFirst out;
  out.text = std::string(message);
  std::string_view nonce = attribute(parts[0], 'r', "nonce");
  check_nonce(nonce);
  out.nonce = std::string(nonce);
  out.salt = decode_b64(attribute(parts[1], 's', "salt"), "salt");
  if (out.salt.empty()) throw ScramError("empty salt");
  std::string_view iters = attribute(parts[2], 'i', "iteration count");
  auto [ptr, ec] = std::from_chars(iters.data(), iters.data() + iters.size(), out.iterations);
  if (ec != std::errc() || ptr != iters.data() + iters.size() || iters.empty() || iters[0] == '0' ||
      out.iterations < 1 || out.iterations > kMaxIterations)
    throw ScramError("invalid iteration count");
  for (std::size_t i = 3; i < parts.size(); ++i)
    if (!is_extension(parts[i])) throw ScramError("malformed attribute after the iteration count");
  return out;
}

ClientFinal parse_client_final(std::string_view message) {
  auto parts = split_commas(message);
  if (parts.size() < 3) throw ScramError("expected channel binding, nonce and proof");
  ClientFinal out;
  std::string_view cb = attribute(parts[0], 'c', "channel binding");
  decode_b64(cb, "channel binding");
  out.channel_binding = std::string(cb);
  std::string_view nonce = attribute(parts[1], 'r', "nonce");
  check_nonce(nonce);
  out.nonce = std::string(nonce);
  for (std::size_t i = 2; i + 1 < parts.size(); ++i)
    if (!is_extension(parts[i])) throw ScramError("malformed attribute before the proof");
  std::string_view proof = attribute(parts.back(), 'p', "proof (last attribute)");
  out.proof = decode_b64(proof, "proof");
  if (out.proof.empty()) throw ScramError("empty proof");
  // Everything before ",p=" enters the AuthMessage.
  out.without_proof = std::string(message.substr(0, message.size() - parts.back().size() - 1));
  return out;
}

std::string parse_server_final(std::string_view message) {
  if (message.starts_with("e=")) throw ScramError("server reported: " + std::string(message.substr(2)));
  auto parts = split_commas(message);
  std::string_view v = attribute(parts[0], 'v', "server signature");
  return decode_b64(v, "server signature");
}

DerivedKeys derive_keys(HashAlg alg, std::string_view password, std::string salt, int iterations) {
  std::string salted = pbkdf2(alg, password, salt, iterations);
  DerivedKeys k;
  k.client_key = hmac(alg, salted, "Client Key");
  k.stored.salt = std::move(salt);
  k.stored.iterations = iterations;
  k.stored.stored_key = digest(alg, k.client_key);
  k.stored.server_key = hmac(alg, salted, "Server Key");
  return k;
}

StoredSecrets derive_secrets(HashAlg alg, std::string_view password, std::string salt, int iterations) {
  return derive_keys(alg, password, std::move(salt), iterations).stored;
}

bool nonce_extends(std::string_view combined, std::string_view client_nonce) {
  if (combined.size() > client_nonce.size() && combined.starts_with(client_nonce)) return true;
  auto client = binary_nonce(client_nonce);
  std::string bytes;
  return client && base64_decode(combined, bytes) && bytes.size() > client->size() && bytes.starts_with(*client);
}

ServerExchange::ServerExchange(HashAlg alg, ClientFirst first, StoredSecrets secrets, std::string server_nonce,
                               std::string channel_binding)
    : alg_(alg), first_(std::move(first)), secrets_(std::move(secrets)) {
  if (!first_.channel_binding_type.empty()) {
    if (channel_binding.empty()) throw ScramError("no channel binding data of type " + first_.channel_binding_type);
    channel_binding_ = std::move(channel_binding);
  }
  check_nonce(server_nonce);
  auto client_bytes = binary_nonce(first_.nonce);
  std::string nonce = client_bytes ? base64_encode(*client_bytes + server_nonce) : first_.nonce + server_nonce;
  server_first_ = "r=" + nonce + ",s=" + base64_encode(secrets_.salt) + ",i=" + std::to_string(secrets_.iterations);
}

std::optional<std::string> ServerExchange::finish(const ClientFinal& final) const {
  std::string expected_nonce = server_first_.substr(2, server_first_.find(',') - 2);
  if (final.nonce != expected_nonce) throw ScramError("nonce does not match this exchange");
  // c= is the GS2 header followed by the binding data (none without "p="): RFC 5802 section 7.
  if (final.channel_binding != base64_encode(first_.gs2_header + channel_binding_))
    throw ScramError("channel binding does not match");
  std::string msg = auth_message(first_.bare, server_first_, final.without_proof);
  std::string client_signature = hmac(alg_, secrets_.stored_key, msg);
  if (final.proof.size() != client_signature.size()) return std::nullopt;
  std::string client_key = xor_bytes(final.proof, client_signature);
  if (!constant_time_equal(digest(alg_, client_key), secrets_.stored_key)) return std::nullopt;
  return "v=" + base64_encode(hmac(alg_, secrets_.server_key, msg));
}

ClientKeys derive_client_keys(HashAlg alg, std::string_view password, std::string_view salt, int iterations) {
  auto keys = derive_keys(alg, password, std::string(salt), iterations);
  return {std::move(keys.client_key), std::move(keys.stored.stored_key), std::move(keys.stored.server_key)};
}

ClientExchange::ClientExchange(HashAlg alg, std::string username, std::string password, std::string client_nonce,
                               ChannelBinding binding)
    : alg_(alg),
      username_(std::move(username)),
      password_(std::move(password)),
      nonce_(std::move(client_nonce)),
      binding_(std::move(binding)) {
  check_nonce(nonce_);
}

ClientExchange::ClientExchange(HashAlg alg, std::string username, ClientKeys keys, std::string client_nonce,
                               ChannelBinding binding)
    : ClientExchange(alg, std::move(username), std::string(), std::move(client_nonce), std::move(binding)) {
  keys_ = std::move(keys);
}

std::string ClientExchange::client_first() const {
  std::string header = binding_.type.empty() ? "n,," : "p=" + binding_.type + ",,";
  return header + "n=" + escape_saslname(username_) + ",r=" + nonce_;
}

std::string ClientExchange::client_final(std::string_view server_first) {
  ServerFirst sf = parse_server_first(server_first);
  if (!nonce_extends(sf.nonce, nonce_)) throw ScramError("server nonce does not extend the client nonce");
  if (sf.iterations > kMaxIterations)
    throw ScramError(std::to_string(sf.iterations) + ": received unexpectedly high iteration count from server");
  if (!keys_) keys_ = derive_client_keys(alg_, password_, sf.salt, sf.iterations);
  if (keys_->client_key.size() != digest_size(alg_)) throw ScramError("client key has the wrong length");
  std::string first = client_first();
  std::size_t bare_at = first.find(",,") + 2;
  std::string without_proof = "c=" + base64_encode(first.substr(0, bare_at) + binding_.data) + ",r=" + sf.nonce;
  std::string bare = first.substr(bare_at);
  auth_message_ = auth_message(bare, sf.text, without_proof);
  std::string proof = xor_bytes(keys_->client_key, hmac(alg_, keys_->stored_key, auth_message_));
  return without_proof + ",p=" + base64_encode(proof);
}

bool ClientExchange::verify_server_final(std::string_view server_final) const {
  if (auth_message_.empty()) return false;
  std::string signature;
  try {
    signature = parse_server_final(server_final);
  } catch (const ScramError&) {
    return false;  // "e=..." or malformed: not the signature only the key's holder can make
  }
  return constant_time_equal(signature, hmac(alg_, keys_->server_key, auth_message_));
}

}  // namespace mw::util::scram
