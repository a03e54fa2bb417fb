#include "midclt/scram.hpp"

#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

using namespace midclt;

namespace {

// RFC 7677 section 3: SCRAM-SHA-256, user "user", password "pencil".
constexpr const char* kClientNonce = "rOprNGfwEbeRWgbNEkqO";
constexpr const char* kServerFirst =
    "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096";
constexpr const char* kClientFinal =
    "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=";
constexpr const char* kServerFinal = "v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=";

Bytes hmac512(const Bytes& key, const std::string& data) {
  Bytes out(EVP_MAX_MD_SIZE);
  unsigned len = 0;
  HMAC(EVP_sha512(), key.data(), static_cast<int>(key.size()), reinterpret_cast<const unsigned char*>(data.data()),
       data.size(), out.data(), &len);
  out.resize(len);
  return out;
}

Bytes sha512(const Bytes& data) {
  Bytes out(EVP_MAX_MD_SIZE);
  unsigned len = 0;
  EVP_Digest(data.data(), data.size(), out.data(), &len, EVP_sha512(), nullptr);
  out.resize(len);
  return out;
}

}  // namespace

TEST(Scram, Rfc7677Sha256VectorProducesTheClientFinalMessage) {
  ScramClient client(ScramHash::Sha256, "user", kClientNonce);
  EXPECT_EQ(client.client_first(), "n,,n=user,r=rOprNGfwEbeRWgbNEkqO");
  EXPECT_EQ(client.client_final(kServerFirst, "pencil"), kClientFinal);
  EXPECT_TRUE(client.verify_server_final(kServerFinal));
}

TEST(Scram, RejectsAWrongServerSignature) {
  ScramClient client(ScramHash::Sha256, "user", kClientNonce);
  client.client_final(kServerFirst, "pencil");
  EXPECT_FALSE(client.verify_server_final("v=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="));
  EXPECT_FALSE(client.verify_server_final("e=invalid-proof"));
}

TEST(Scram, RejectsServerNonceThatDoesNotExtendOurs) {
  ScramClient client(ScramHash::Sha256, "user", kClientNonce);
  EXPECT_THROW(client.client_final("r=someoneelse,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096", "pencil"), ScramError);
}

TEST(Scram, AcceptsTrueNasServerNonceShape) {
  Bytes ours(32, 0x11), server(32, 0x22);
  Bytes both = ours;
  both.insert(both.end(), server.begin(), server.end());
  EXPECT_TRUE(nonce_extends(base64_encode(both), base64_encode(ours)));
  EXPECT_TRUE(nonce_extends("abcXYZ", "abc")) << "RFC 5802 shape";
  Bytes other(64, 0x33);
  EXPECT_FALSE(nonce_extends(base64_encode(other), base64_encode(ours)));
  EXPECT_FALSE(nonce_extends(base64_encode(ours), base64_encode(ours)));
}

TEST(Scram, RejectsExcessiveIterationCount) {
  ScramClient client(ScramHash::Sha512, "user", kClientNonce);
  EXPECT_THROW(client.client_final("r=rOprNGfwEbeRWgbNEkqOxyz,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=5000001", "k"), ScramError);
}

TEST(Scram, RejectsMalformedServerFirst) {
  EXPECT_THROW(parse_server_first("r=abc,s=!!!,i=1"), ScramError);
  EXPECT_THROW(parse_server_first("r=abc,i=1"), ScramError);
  EXPECT_THROW(parse_server_first("r=abc,s=AAAA,i=x"), ScramError);
  auto sf = parse_server_first("r=abc,s=AAAA,i=10");
  EXPECT_EQ(sf.nonce, "abc");
  EXPECT_EQ(sf.iterations, 10);
  EXPECT_EQ(sf.salt, Bytes(3, 0));
}

TEST(Scram, Sha512ProofVerifiesAgainstAnIndependentServerComputation) {
  const std::string secret = "uz8DhKHFhRIUQIvjzabPYtpy5wf1DJ3ZBLlDgNVhRAFT7Y6pJGUlm0n3apwxWEU4";
  const Bytes salt = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};
  ScramKeys keys = derive_scram_keys(ScramHash::Sha512, secret, salt, 1000);
  ASSERT_EQ(keys.client_key.size(), 64u);
  EXPECT_EQ(keys.stored_key, sha512(keys.client_key));

  ScramClient client(ScramHash::Sha512, "root:1", "clientnonce");
  std::string server_first = "r=clientnonceSERVER,s=" + base64_encode(salt) + ",i=1000";
  std::string final_message = client.client_final(server_first, secret);
  ASSERT_EQ(final_message.rfind("c=biws,r=clientnonceSERVER,p=", 0), 0u);

  // Server side: recover ClientKey from the proof and check it against StoredKey.
  std::string auth_message = "n=root:1,r=clientnonce," + server_first + ",c=biws,r=clientnonceSERVER";
  Bytes proof = *base64_decode(final_message.substr(final_message.find(",p=") + 3));
  Bytes signature = hmac512(keys.stored_key, auth_message);
  ASSERT_EQ(proof.size(), signature.size());
  Bytes recovered(proof.size());
  for (std::size_t i = 0; i < proof.size(); ++i) recovered[i] = proof[i] ^ signature[i];
  EXPECT_EQ(sha512(recovered), keys.stored_key);

  EXPECT_TRUE(client.verify_server_final("v=" + base64_encode(hmac512(keys.server_key, auth_message))));
}

TEST(Scram, PrecomputedKeysGiveTheSameProofAsTheSecret) {
  const Bytes salt = {9, 9, 9, 9};
  ScramKeys keys = derive_scram_keys(ScramHash::Sha512, "secret", salt, 50);
  std::string server_first = "r=nonceXYZ,s=" + base64_encode(salt) + ",i=50";
  ScramClient from_secret(ScramHash::Sha512, "u:2", "nonce");
  ScramClient from_keys(ScramHash::Sha512, "u:2", "nonce");
  EXPECT_EQ(from_secret.client_final(server_first, "secret"), from_keys.client_final(server_first, {}, keys));
}

TEST(Scram, EscapesCommaAndEqualsInUsernames) { EXPECT_EQ(scram_escape_username("a,b=c"), "a=2Cb=3Dc"); }

TEST(Base64, RoundTripsWithPadding) {
  for (std::size_t n = 0; n < 8; ++n) {
    Bytes data(n, static_cast<unsigned char>(0xa5));
    EXPECT_EQ(*base64_decode(base64_encode(data)), data);
  }
  EXPECT_EQ(base64_encode(Bytes{'n', ',', ','}), "biws");
  EXPECT_FALSE(base64_decode("abc"));
}
