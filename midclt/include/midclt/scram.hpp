#pragma once
// RFC 5802 SCRAM client math (no I/O). TrueNAS uses SCRAM-SHA-512 for API keys; the hash is a
// parameter so the RFC 7677 SCRAM-SHA-256 test vector can check the same code.
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace midclt {

using Bytes = std::vector<unsigned char>;

enum class ScramHash { Sha256, Sha512 };

struct ScramError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

std::string base64_encode(const Bytes& data);
std::optional<Bytes> base64_decode(std::string_view text);

// ClientKey, StoredKey and ServerKey: either derived from a secret or given precomputed.
struct ScramKeys {
  Bytes client_key;
  Bytes stored_key;
  Bytes server_key;
};

// SaltedPassword = PBKDF2-HMAC(secret, salt, iterations); ClientKey = HMAC(salted, "Client Key");
// StoredKey = H(ClientKey); ServerKey = HMAC(salted, "Server Key").
ScramKeys derive_scram_keys(ScramHash hash, std::string_view secret, const Bytes& salt, int iterations);

struct ServerFirst {
  std::string nonce;
  Bytes salt;
  int iterations = 0;
};

// "r=<nonce>,s=<base64 salt>,i=<count>"; throws ScramError when malformed.
ServerFirst parse_server_first(std::string_view text);

// Whether the server's nonce extends ours: as text (RFC 5802), or, for a nonce that is base64 of
// 32 bytes (what we send, as TrueNAS's clients do), as base64 of those bytes followed by more
// (what TrueNAS servers answer).
bool nonce_extends(std::string_view server_nonce, std::string_view client_nonce);

// Escapes ',' and '=' in a SCRAM username as RFC 5802 asks ("=2C", "=3D").
std::string scram_escape_username(std::string_view name);

class ScramClient {
 public:
  // `username` is the already composed SCRAM name (TrueNAS: "<user>:<api key id>").
  ScramClient(ScramHash hash, std::string username, std::string client_nonce);

  // "n,,n=<user>,r=<nonce>" (no channel binding).
  std::string client_first() const;
  // Checks the server-first message against our nonce and the iteration cap, then returns
  // "c=biws,r=<nonce>,p=<proof>". `keys` nullopt: derive them from `secret`.
  std::string client_final(std::string_view server_first, std::string_view secret,
                           const std::optional<ScramKeys>& keys = std::nullopt);
  // "v=<signature>" must equal HMAC(ServerKey, AuthMessage).
  bool verify_server_final(std::string_view server_final) const;

  static constexpr int kMaxIterations = 5000000;

 private:
  ScramHash hash_;
  std::string username_;
  std::string nonce_;
  std::string auth_message_;
  Bytes server_key_;
};

}  // namespace midclt
