#pragma once
// SCRAM (RFC 5802) message parsing and the two sides of one exchange, parameterised by the hash:
// SHA-1 and SHA-256 for the RFC test vectors, SHA-512 (RFC 7677 naming) for API keys.
// Channel binding (SCRAM-PLUS, the "p=<type>" GS2 flag): the parser accepts any type name; the
// exchange checks the client's binding against the data its owner supplies (which types it
// supports, and over which connections, is the owner's business).
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

#include "mw/util/crypto.hpp"

namespace mw::util::scram {

// A malformed message; what() says what is wrong, never echoes secrets.
struct ScramError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct ClientFirst {
  std::string gs2_header;            // "n,," or "y,,", "p=<type>,,", or with an authzid: "n,a=name,"
  std::string channel_binding_type;  // <type> of a "p=" flag; empty for "n" and "y"
  std::string username;              // saslname decoded (=2C -> ',', =3D -> '=')
  std::string nonce;
  std::string bare;  // the message without the GS2 header (enters AuthMessage)
};

struct ServerFirst {
  std::string nonce;  // client nonce + server part
  std::string salt;   // decoded bytes
  int iterations = 0;
  std::string text;
};

struct ClientFinal {
  std::string channel_binding;  // the c= value, still base64
  std::string nonce;
  std::string proof;          // decoded bytes
  std::string without_proof;  // "c=...,r=..." (enters AuthMessage)
};

// Each throws ScramError on malformed input.
ClientFirst parse_client_first(std::string_view message);
ServerFirst parse_server_first(std::string_view message);
ClientFinal parse_client_final(std::string_view message);
// "v=<signature>" -> decoded signature; "e=<error>" throws ScramError naming the server error.
std::string parse_server_final(std::string_view message);

// What the server keeps instead of the secret (RFC 5802 section 3).
struct StoredSecrets {
  std::string salt;
  int iterations = 0;
  std::string stored_key;
  std::string server_key;
};

StoredSecrets derive_secrets(HashAlg alg, std::string_view password, std::string salt, int iterations);

// The same plus the ClientKey, which a client may keep instead of the secret (TrueNAS's clients
// take it precomputed: api_key.create and api_key.convert_raw_key hand it out). Never stored.
struct DerivedKeys {
  StoredSecrets stored;
  std::string client_key;
};
DerivedKeys derive_keys(HashAlg alg, std::string_view password, std::string salt, int iterations);

// Server side of one exchange, built from the client's first message and the stored secrets.
class ServerExchange {
 public:
  // `server_nonce` is what the server adds to the client's nonce, in one of two shapes:
  //  - TrueNAS's clients send base64 of 32 random bytes and expect base64 of those bytes followed
  //    by the server's (64 bytes in all): such a client nonce gets the bytes of `server_nonce`
  //    (give 32) appended to its decoded bytes, and the whole is encoded again;
  //  - any other client nonce gets `server_nonce` appended as text (RFC 5802).
  // It must be printable and contain no ',' (random_alnum(32) suits both).
  // `channel_binding`: the connection's binding data of the type the client named ("p="), which
  // its final message must carry; ignored (and empty) when the client asked for none.
  ServerExchange(HashAlg alg, ClientFirst first, StoredSecrets secrets, std::string server_nonce,
                 std::string channel_binding = {});
  const std::string& server_first() const { return server_first_; }
  // The server-final message ("v=...") when the proof is right, nullopt when it is not.
  // Throws ScramError when the final message does not belong to this exchange (nonce, binding).
  std::optional<std::string> finish(const ClientFinal& final) const;

 private:
  HashAlg alg_;
  ClientFirst first_;
  StoredSecrets secrets_;
  std::string channel_binding_;
  std::string server_first_;
};

// What a client binds its exchange to (SCRAM-PLUS): the type it names and the connection's data.
struct ChannelBinding {
  std::string type;  // empty: no binding ("n" flag)
  std::string data;
};

// What a client derives from its password and the server's salt; a client may also be given
// them instead of the password (TrueNAS lets an API key be stored that way).
struct ClientKeys {
  std::string client_key;
  std::string stored_key;
  std::string server_key;
};

ClientKeys derive_client_keys(HashAlg alg, std::string_view password, std::string_view salt, int iterations);

// Client side (midclt, tests): computes the proof and checks the server's signature.
class ClientExchange {
 public:
  // A server may not ask a client for more PBKDF2 rounds than this (TrueNAS's client has the same
  // cap and says so in the same words).
  static constexpr int kMaxIterations = 5'000'000;

  ClientExchange(HashAlg alg, std::string username, std::string password, std::string client_nonce,
                 ChannelBinding binding = {});
  ClientExchange(HashAlg alg, std::string username, ClientKeys keys, std::string client_nonce,
                 ChannelBinding binding = {});
  std::string client_first() const;
  // Takes the server-first message, returns the client-final message. Throws ScramError when
  // the server's nonce does not extend ours or it asks for more than kMaxIterations rounds.
  std::string client_final(std::string_view server_first);
  // True when the server-final message carries the signature only the key's holder can make.
  bool verify_server_final(std::string_view server_final) const;

 private:
  HashAlg alg_;
  std::string username_;
  std::string password_;
  std::string nonce_;
  ChannelBinding binding_;
  std::optional<ClientKeys> keys_;  // given, or derived by client_final
  std::string auth_message_;
};

// Whether `combined` (a server-first nonce) extends `client_nonce` in either shape above.
bool nonce_extends(std::string_view combined, std::string_view client_nonce);

// saslname escaping (RFC 5802 section 5.1): ',' -> "=2C", '=' -> "=3D".
std::string escape_saslname(std::string_view name);

}  // namespace mw::util::scram
