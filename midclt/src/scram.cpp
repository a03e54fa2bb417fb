#include "midclt/scram.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <algorithm>
#include <charconv>

namespace midclt {

namespace {

const EVP_MD* digest(ScramHash hash) { return hash == ScramHash::Sha256 ? EVP_sha256() : EVP_sha512(); }

Bytes hmac(ScramHash hash, const Bytes& key, std::string_view data) {
  Bytes out(EVP_MAX_MD_SIZE);
  unsigned int len = 0;
  if (!HMAC(digest(hash), key.data(), static_cast<int>(key.size()),
            reinterpret_cast<const unsigned char*>(data.data()), data.size(), out.data(), &len))
    throw ScramError("HMAC failed");
  out.resize(len);
  return out;
}

Bytes hash_of(ScramHash hash, const Bytes& data) {
  Bytes out(EVP_MAX_MD_SIZE);
  unsigned int len = 0;
  if (!EVP_Digest(data.data(), data.size(), out.data(), &len, digest(hash), nullptr))
    throw ScramError("digest failed");
  out.resize(len);
  return out;
}

}  // namespace

std::string base64_encode(const Bytes& data) {
  std::string out(4 * ((data.size() + 2) / 3) + 1, '\0');
  int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), data.data(),
                          static_cast<int>(data.size()));
  out.resize(static_cast<std::size_t>(n));
  return out;
}

std::optional<Bytes> base64_decode(std::string_view text) {
  if (text.size() % 4 != 0) return std::nullopt;
  Bytes out(text.size() / 4 * 3 + 1);
  int n = EVP_DecodeBlock(out.data(), reinterpret_cast<const unsigned char*>(text.data()),
                          static_cast<int>(text.size()));
  if (n < 0) return std::nullopt;
  // EVP_DecodeBlock counts padding as zero bytes.
  std::size_t pad = 0;
  if (!text.empty() && text.back() == '=') ++pad;
  if (text.size() > 1 && text[text.size() - 2] == '=') ++pad;
  out.resize(static_cast<std::size_t>(n) - pad);
  return out;
}

ScramKeys derive_scram_keys(ScramHash hash, std::string_view secret, const Bytes& salt, int iterations) {
  Bytes salted(static_cast<std::size_t>(EVP_MD_get_size(digest(hash))));
  if (!PKCS5_PBKDF2_HMAC(secret.data(), static_cast<int>(secret.size()), salt.data(),
                         static_cast<int>(salt.size()), iterations, digest(hash),
                         static_cast<int>(salted.size()), salted.data()))
    throw ScramError("PBKDF2 failed");
  ScramKeys keys;
  keys.client_key = hmac(hash, salted, "Client Key");
  keys.stored_key = hash_of(hash, keys.client_key);
  keys.server_key = hmac(hash, salted, "Server Key");
  OPENSSL_cleanse(salted.data(), salted.size());
  return keys;
}

ServerFirst parse_server_first(std::string_view text) {
  ServerFirst out;
  bool have_r = false, have_s = false, have_i = false;
  std::size_t start = 0;
  while (start <= text.size()) {
    std::size_t end = text.find(',', start);
    std::string_view part = text.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start);
    if (part.size() < 2 || part[1] != '=') throw ScramError("Malformed server-first message");
    std::string_view value = part.substr(2);
    switch (part[0]) {
      case 'r': out.nonce = std::string(value); have_r = true; break;
      case 's': {
        auto salt = base64_decode(value);
        if (!salt) throw ScramError("Invalid salt in server-first message");
        out.salt = std::move(*salt);
        have_s = true;
        break;
      }
      case 'i': {
        auto res = std::from_chars(value.data(), value.data() + value.size(), out.iterations);
        if (res.ec != std::errc() || res.ptr != value.data() + value.size() || out.iterations <= 0)
          throw ScramError("Invalid iteration count in server-first message");
        have_i = true;
        break;
      }
      case 'm': throw ScramError("Server requires an unsupported SCRAM extension");
      default: break;  // unknown attributes are ignored, as RFC 5802 allows for extensions
    }
    if (end == std::string_view::npos) break;
    start = end + 1;
  }
  if (!have_r || !have_s || !have_i) throw ScramError("Incomplete server-first message");
  return out;
}

bool nonce_extends(std::string_view server_nonce, std::string_view client_nonce) {
  if (server_nonce.size() > client_nonce.size() && server_nonce.substr(0, client_nonce.size()) == client_nonce)
    return true;
  auto ours = base64_decode(client_nonce);
  auto theirs = base64_decode(server_nonce);
  return ours && ours->size() == 32 && theirs && theirs->size() > ours->size() &&
         std::equal(ours->begin(), ours->end(), theirs->begin());
}

std::string scram_escape_username(std::string_view name) {
  std::string out;
  for (char c : name) {
    if (c == ',') out += "=2C";
    else if (c == '=') out += "=3D";
    else out += c;
  }
  return out;
}

ScramClient::ScramClient(ScramHash hash, std::string username, std::string client_nonce)
    : hash_(hash), username_(std::move(username)), nonce_(std::move(client_nonce)) {}

std::string ScramClient::client_first() const { return "n,,n=" + username_ + ",r=" + nonce_; }

std::string ScramClient::client_final(std::string_view server_first, std::string_view secret,
                                      const std::optional<ScramKeys>& given) {
  ServerFirst sf = parse_server_first(server_first);
  if (!nonce_extends(sf.nonce, nonce_)) throw ScramError("Server nonce does not extend the client nonce");
  if (sf.iterations > kMaxIterations)
    throw ScramError(std::to_string(sf.iterations) + ": received unexpectedly high iteration count from server");
  ScramKeys keys = given ? *given : derive_scram_keys(hash_, secret, sf.salt, sf.iterations);
  // "biws" is base64("n,,"): the GS2 header without channel binding.
  std::string final_without_proof = "c=biws,r=" + sf.nonce;
  auth_message_ = "n=" + username_ + ",r=" + nonce_ + "," + std::string(server_first) + "," + final_without_proof;
  Bytes signature = hmac(hash_, keys.stored_key, auth_message_);
  if (signature.size() != keys.client_key.size()) throw ScramError("Client key has the wrong length");
  Bytes proof(signature.size());
  for (std::size_t i = 0; i < proof.size(); ++i) proof[i] = keys.client_key[i] ^ signature[i];
  server_key_ = keys.server_key;
  return final_without_proof + ",p=" + base64_encode(proof);
}

bool ScramClient::verify_server_final(std::string_view server_final) const {
  if (server_final.substr(0, 2) != "v=" || auth_message_.empty()) return false;
  auto received = base64_decode(server_final.substr(2));
  if (!received) return false;
  Bytes expected = hmac(hash_, server_key_, auth_message_);
  return received->size() == expected.size() &&
         CRYPTO_memcmp(received->data(), expected.data(), expected.size()) == 0;
}

}  // namespace midclt
