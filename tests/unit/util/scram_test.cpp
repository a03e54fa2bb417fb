// SCRAM against the published exchanges (RFC 5802 section 5 for SHA-1, RFC 7677 section 3 for
// SHA-256) and SHA-512 round trips, as API keys use it.
#include <gtest/gtest.h>

#include <mw/util/base64.hpp>
#include <mw/util/random.hpp>
#include <mw/util/scram.hpp>

namespace mw::util::scram {
namespace {

struct Vector {
  HashAlg alg;
  std::string client_nonce;
  std::string server_nonce;  // the part the server appends
  std::string salt_b64;
  std::string client_first;
  std::string server_first;
  std::string client_final;
  std::string server_final;
};

Vector rfc5802() {
  return {HashAlg::Sha1,
          "fyko+d2lbbFgONRv9qkxdawL",
          "3rfcNHYJY1ZVvWVs7j",
          "QSXCR+Q6sek8bf92",
          "n,,n=user,r=fyko+d2lbbFgONRv9qkxdawL",
          "r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,s=QSXCR+Q6sek8bf92,i=4096",
          "c=biws,r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,p=v0X8v3Bz2T0CJGbJQyF0X+HI4Ts=",
          "v=rmF9pqV8S7suAoZWja4dJRkFsKQ="};
}

Vector rfc7677() {
  return {HashAlg::Sha256,
          "rOprNGfwEbeRWgbNEkqO",
          "%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0",
          "W22ZaJ0SNY7soEsUEjb6gQ==",
          "n,,n=user,r=rOprNGfwEbeRWgbNEkqO",
          "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096",
          "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=",
          "v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4="};
}

class RfcVectors : public ::testing::TestWithParam<Vector> {};

TEST_P(RfcVectors, ClientProducesTheRfcMessages) {
  const Vector& v = GetParam();
  ClientExchange client(v.alg, "user", "pencil", v.client_nonce);
  EXPECT_EQ(client.client_first(), v.client_first);
  EXPECT_EQ(client.client_final(v.server_first), v.client_final);
  EXPECT_TRUE(client.verify_server_final(v.server_final));
}

TEST_P(RfcVectors, ServerProducesTheRfcMessagesAndAcceptsTheProof) {
  const Vector& v = GetParam();
  std::string salt;
  ASSERT_TRUE(base64_decode(v.salt_b64, salt));
  auto secrets = derive_secrets(v.alg, "pencil", salt, 4096);
  ServerExchange server(v.alg, parse_client_first(v.client_first), secrets, v.server_nonce);
  EXPECT_EQ(server.server_first(), v.server_first);
  auto final = server.finish(parse_client_final(v.client_final));
  ASSERT_TRUE(final.has_value());
  EXPECT_EQ(*final, v.server_final);
}

TEST_P(RfcVectors, ServerRejectsTheProofOfAnotherPassword) {
  const Vector& v = GetParam();
  std::string salt;
  ASSERT_TRUE(base64_decode(v.salt_b64, salt));
  auto secrets = derive_secrets(v.alg, "pencil2", salt, 4096);
  ServerExchange server(v.alg, parse_client_first(v.client_first), secrets, v.server_nonce);
  EXPECT_FALSE(server.finish(parse_client_final(v.client_final)).has_value());
}

TEST_P(RfcVectors, ClientRejectsAForgedServerSignature) {
  const Vector& v = GetParam();
  ClientExchange client(v.alg, "user", "pencil", v.client_nonce);
  client.client_final(v.server_first);
  EXPECT_FALSE(client.verify_server_final("v=" + base64_encode(std::string(digest_size(v.alg), 'x'))));
}

INSTANTIATE_TEST_SUITE_P(Rfc, RfcVectors, ::testing::Values(rfc5802(), rfc7677()),
                         [](const auto& info) { return info.index == 0 ? "Sha1Rfc5802" : "Sha256Rfc7677"; });

class Sha512RoundTrip : public ::testing::Test {
 protected:
  // Runs a whole exchange; returns the server's final message (nullopt when the proof failed).
  std::optional<std::string> run(const std::string& stored_password, const std::string& client_password,
                                 ClientExchange* out_client = nullptr) {
    auto secrets = derive_secrets(HashAlg::Sha512, stored_password, "0123456789abcdef", 4096);
    ClientExchange client(HashAlg::Sha512, "root:7", client_password, "clientnonce123");
    ServerExchange server(HashAlg::Sha512, parse_client_first(client.client_first()), secrets, "servernonce456");
    std::string final = client.client_final(server.server_first());
    auto answer = server.finish(parse_client_final(final));
    if (answer && out_client) *out_client = client;
    return answer;
  }
};

TEST_F(Sha512RoundTrip, SucceedsWithTheRightKeyAndTheClientVerifiesTheServer) {
  ClientExchange client(HashAlg::Sha512, "x", "y", "n");
  auto answer = run("k3y", "k3y", &client);
  ASSERT_TRUE(answer.has_value());
  EXPECT_TRUE(client.verify_server_final(*answer));
}

TEST_F(Sha512RoundTrip, FailsWithAWrongKey) { EXPECT_FALSE(run("k3y", "k3Y").has_value()); }

// TrueNAS's clients send base64 of 32 random bytes and take back base64 of those bytes and 32
// of the server's: the answer is that shape, and a client of either shape completes.
TEST(ScramNonce, TrueNasShapedClientNonceIsAnsweredInTrueNasShape) {
  std::string client_bytes = random_bytes(32);
  std::string client_nonce = base64_encode(client_bytes);
  auto secrets = derive_secrets(HashAlg::Sha512, "k3y", "0123456789abcdef", 4096);
  ClientExchange client(HashAlg::Sha512, "root:7", "k3y", client_nonce);
  ServerExchange server(HashAlg::Sha512, parse_client_first(client.client_first()), secrets, random_alnum(32));
  std::string combined = parse_server_first(server.server_first()).nonce;
  std::string bytes;
  ASSERT_TRUE(base64_decode(combined, bytes)) << combined;
  EXPECT_EQ(bytes.size(), 64u);
  EXPECT_EQ(bytes.substr(0, 32), client_bytes);
  EXPECT_TRUE(nonce_extends(combined, client_nonce));
  auto answer = server.finish(parse_client_final(client.client_final(server.server_first())));
  ASSERT_TRUE(answer.has_value());
  EXPECT_TRUE(client.verify_server_final(*answer));
}

TEST(ScramNonce, OtherClientNoncesAreExtendedAsText) {
  EXPECT_TRUE(nonce_extends("abcdef", "abc"));
  EXPECT_FALSE(nonce_extends("abc", "abc"));
  EXPECT_FALSE(nonce_extends("xbcdef", "abc"));
  std::string client_nonce = base64_encode(std::string(32, 'a'));
  EXPECT_FALSE(nonce_extends(base64_encode(std::string(32, 'b') + std::string(32, 'c')), client_nonce))
      << "binary shape, but not these bytes";
}

// SCRAM-PLUS: the client's c= must carry the GS2 header and the connection's binding data.
TEST(ScramChannelBinding, BoundExchangeSucceedsOnlyWithTheSameData) {
  auto secrets = derive_secrets(HashAlg::Sha512, "k3y", "0123456789abcdef", 4096);
  for (const std::string& client_data : {std::string("certificate hash"), std::string("another hash")}) {
    ClientExchange client(HashAlg::Sha512, "root:7", "k3y", "abc", {"tls-server-end-point", client_data});
    ServerExchange server(HashAlg::Sha512, parse_client_first(client.client_first()), secrets, "def",
                          "certificate hash");
    std::string final = client.client_final(server.server_first());
    if (client_data == "certificate hash") {
      auto answer = server.finish(parse_client_final(final));
      ASSERT_TRUE(answer.has_value());
      EXPECT_TRUE(client.verify_server_final(*answer));
    } else {
      EXPECT_THROW(server.finish(parse_client_final(final)), ScramError);
    }
  }
}

TEST(ScramChannelBinding, UnboundClientFinalIsRefusedWhenTheClientAskedForBinding) {
  auto secrets = derive_secrets(HashAlg::Sha512, "k3y", "0123456789abcdef", 4096);
  ServerExchange server(HashAlg::Sha512, parse_client_first("p=tls-server-end-point,,n=a:1,r=abc"), secrets, "def",
                        "certificate hash");
  EXPECT_THROW(server.finish(parse_client_final("c=" + base64_encode("p=tls-server-end-point,,") + ",r=abcdef,p=AAAA")),
               ScramError);
  EXPECT_THROW(
      ServerExchange(HashAlg::Sha512, parse_client_first("p=tls-server-end-point,,n=a:1,r=abc"), secrets, "def"),
      ScramError)
      << "no binding data to check against";
}

TEST(ScramSecrets, Sha512KeysAre64Bytes) {
  auto s = derive_secrets(HashAlg::Sha512, "secret", "saltsaltsaltsalt", 4096);
  EXPECT_EQ(s.stored_key.size(), 64u);
  EXPECT_EQ(s.server_key.size(), 64u);
  EXPECT_EQ(s.iterations, 4096);
  EXPECT_NE(s.stored_key, s.server_key);
}

TEST(ScramServer, RejectsAFinalMessageWithAnotherNonce) {
  auto secrets = derive_secrets(HashAlg::Sha512, "pw", "saltsaltsaltsalt", 4096);
  ServerExchange server(HashAlg::Sha512, parse_client_first("n,,n=a:1,r=abc"), secrets, "def");
  EXPECT_THROW(server.finish(parse_client_final("c=biws,r=abcXYZ,p=AAAA")), ScramError);
}

TEST(ScramServer, RejectsAChannelBindingThatDoesNotMatchTheHeader) {
  auto secrets = derive_secrets(HashAlg::Sha512, "pw", "saltsaltsaltsalt", 4096);
  ServerExchange server(HashAlg::Sha512, parse_client_first("y,,n=a:1,r=abc"), secrets, "def");
  EXPECT_THROW(server.finish(parse_client_final("c=biws,r=abcdef,p=AAAA")), ScramError);
}

TEST(ScramServer, RejectsAProofOfTheWrongLength) {
  auto secrets = derive_secrets(HashAlg::Sha512, "pw", "saltsaltsaltsalt", 4096);
  ServerExchange server(HashAlg::Sha512, parse_client_first("n,,n=a:1,r=abc"), secrets, "def");
  EXPECT_FALSE(server.finish(parse_client_final("c=biws,r=abcdef,p=AAAA")).has_value());
}

TEST(ScramParse, ClientFirstDecodesTheUserNameAndKeepsTheBareMessage) {
  auto m = parse_client_first("n,,n=we=2Cird=3Dname,r=nonce1,x=ext");
  EXPECT_EQ(m.username, "we,ird=name");
  EXPECT_EQ(m.nonce, "nonce1");
  EXPECT_EQ(m.gs2_header, "n,,");
  EXPECT_EQ(m.bare, "n=we=2Cird=3Dname,r=nonce1,x=ext");
}

TEST(ScramParse, ClientFirstAcceptsAnAuthorizationIdentity) {
  auto m = parse_client_first("n,a=admin,n=user,r=abc");
  EXPECT_EQ(m.gs2_header, "n,a=admin,");
  EXPECT_EQ(m.username, "user");
}

TEST(ScramParse, ClientFirstNamesTheChannelBindingType) {
  auto m = parse_client_first("p=tls-server-end-point,,n=u,r=a");
  EXPECT_EQ(m.channel_binding_type, "tls-server-end-point");
  EXPECT_EQ(m.gs2_header, "p=tls-server-end-point,,");
  EXPECT_EQ(parse_client_first("y,,n=u,r=a").channel_binding_type, "");
}

TEST(ScramParse, ClientFirstRejectsMalformedMessages) {
  for (const char* bad : {"", "n", "n,", "n,,", "n,,n=user", "n,,r=abc,n=user", "p=,,n=u,r=a", "p=a b,,n=u,r=a",
                          "x,,n=u,r=a", "n,,n=,r=a", "n,,n=u,r=", "n,,n=u=2X,r=a", "n,,m=ext,n=u,r=a", "n,,n=u,r=a b",
                          "n,b=x,n=u,r=a", "n,,n=u,r=a,garbage"}) {
    EXPECT_THROW(parse_client_first(bad), ScramError) << bad;
  }
}

TEST(ScramParse, ClientFinalSplitsOffTheProof) {
  auto m = parse_client_final("c=biws,r=abc,p=AAAA");
  EXPECT_EQ(m.without_proof, "c=biws,r=abc");
  EXPECT_EQ(m.proof, std::string(3, '\0'));
  EXPECT_EQ(m.channel_binding, "biws");
}

TEST(ScramParse, ClientFinalRejectsMalformedMessages) {
  for (const char* bad : {"", "c=biws", "c=biws,r=abc", "c=biws,r=abc,p=", "c=biws,r=abc,p=!!!!", "r=abc,c=biws,p=AAAA",
                          "c=bi,r=abc,p=AAAA", "c=biws,p=AAAA,r=abc", "c=biws,r=abc,p=AAA"}) {
    EXPECT_THROW(parse_client_final(bad), ScramError) << bad;
  }
}

TEST(ScramParse, ServerFirstRejectsHostileIterationCounts) {
  for (const char* bad : {"r=a,s=QUJD,i=0", "r=a,s=QUJD,i=-1", "r=a,s=QUJD,i=99999999999", "r=a,s=QUJD,i=12x",
                          "r=a,s=QUJD,i=", "r=a,s=,i=1", "r=a,i=1,s=QUJD"}) {
    EXPECT_THROW(parse_server_first(bad), ScramError) << bad;
  }
  EXPECT_EQ(parse_server_first("r=a,s=QUJD,i=4096").iterations, 4096);
}

TEST(ScramParse, ServerFinalErrorIsReported) { EXPECT_THROW(parse_server_final("e=invalid-proof"), ScramError); }

TEST(ScramClient, RefusesAServerNonceThatDoesNotExtendItsOwn) {
  ClientExchange client(HashAlg::Sha512, "u", "p", "abc");
  EXPECT_THROW(client.client_final("r=xyzdef,s=QUJD,i=4096"), ScramError);
  EXPECT_THROW(client.client_final("r=abc,s=QUJD,i=4096"), ScramError);
}

TEST(ScramClient, EscapesSpecialCharactersInTheUserName) {
  ClientExchange client(HashAlg::Sha512, "a,b=c", "p", "abc");
  EXPECT_EQ(client.client_first(), "n,,n=a=2Cb=3Dc,r=abc");
}

TEST(ScramClient, PrecomputedKeysGiveTheSameProofAsThePassword) {
  const std::string server_first = "r=abcSERVER,s=" + base64_encode("0123456789abcdef") + ",i=1000";
  ClientExchange with_password(HashAlg::Sha512, "root:1", "s3cret", "abc");
  ClientExchange with_keys(HashAlg::Sha512, "root:1",
                           derive_client_keys(HashAlg::Sha512, "s3cret", "0123456789abcdef", 1000), "abc");
  EXPECT_EQ(with_keys.client_final(server_first), with_password.client_final(server_first));
}

TEST(ScramClient, RefusesMoreRoundsThanTrueNasClientsAllow) {
  ClientExchange client(HashAlg::Sha512, "u", "p", "abc");
  try {
    client.client_final("r=abcdef,s=QUJD,i=5000001");
    ADD_FAILURE() << "no error";
  } catch (const ScramError& e) {
    EXPECT_STREQ(e.what(), "5000001: received unexpectedly high iteration count from server");
  }
}

TEST(ScramClient, AcceptsTheTrueNasServerNonceShape) {
  const std::string ours(32, '\x11'), server(32, '\x22');
  EXPECT_TRUE(nonce_extends(base64_encode(ours + server), base64_encode(ours)));
  EXPECT_TRUE(nonce_extends("abcXYZ", "abc")) << "RFC 5802 shape";
  EXPECT_FALSE(nonce_extends(base64_encode(std::string(64, '\x33')), base64_encode(ours)));
  EXPECT_FALSE(nonce_extends(base64_encode(ours), base64_encode(ours)));
}

TEST(ScramClient, AServerErrorIsNotAValidSignature) {
  ClientExchange client(HashAlg::Sha256, "user", "pencil", "rOprNGfwEbeRWgbNEkqO");
  client.client_final("r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096");
  EXPECT_FALSE(client.verify_server_final("e=invalid-proof"));
}

// The ClientKey handed to clients (api_key.create, api_key.convert_raw_key) is the one whose hash
// is stored: a client holding it proves the key without the PBKDF2 work.
TEST(DeriveKeys, ClientKeyHashesToTheStoredKeyAndLogsIn) {
  auto keys = derive_keys(HashAlg::Sha512, "raw-key", "0123456789abcdef", 4096);
  EXPECT_EQ(keys.stored.stored_key, digest(HashAlg::Sha512, keys.client_key));
  EXPECT_EQ(keys.client_key,
            hmac(HashAlg::Sha512, pbkdf2(HashAlg::Sha512, "raw-key", "0123456789abcdef", 4096), "Client Key"));
  auto plain = derive_secrets(HashAlg::Sha512, "raw-key", "0123456789abcdef", 4096);
  EXPECT_EQ(plain.stored_key, keys.stored.stored_key);
  EXPECT_EQ(plain.server_key, keys.stored.server_key);
  auto client = derive_client_keys(HashAlg::Sha512, "raw-key", "0123456789abcdef", 4096);
  EXPECT_EQ(client.client_key, keys.client_key) << "the client's derivation is the same one";
  EXPECT_EQ(client.stored_key, keys.stored.stored_key);
  EXPECT_EQ(client.server_key, keys.stored.server_key);
}

}  // namespace
}  // namespace mw::util::scram
