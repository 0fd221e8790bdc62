// The signature checks of the three auth modes and the credentials file, on a fake clock.
// Messages are AWS's (see api/auth.cc for where each comes from).
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <variant>

#include "api/auth.h"
#include "sigv4_signer.h"

namespace kinesim::api {
namespace {

using testing::SigningKey;

constexpr int64_t kNow = 1'790'000'000'000;  // 2026-09-21T14:13:20Z
const SigningKey kAlice{"AKIDALICE", "alice-secret/+=", "eu-west-1"};
const SigningKey kBob{"AKIDBOB", "bob-secret", "us-east-1"};

std::shared_ptr<const Credentials> credentials() {
  auto parsed = Credentials::parse(
      "# access key   secret             account\n"
      "AKIDALICE  alice-secret/+=  111111111111\n"
      "AKIDBOB\tbob-secret\t222222222222\n",
      "creds");
  EXPECT_TRUE(parsed.ok()) << parsed.status().message;
  return std::make_shared<const Credentials>(std::move(parsed.value()));
}

HttpRequest list_streams(std::string body = "{}") {
  HttpRequest r;
  r.method = "POST";
  r.target = "/";
  r.headers = {{"host", "127.0.0.1:4566"},
               {"content-type", "application/x-amz-json-1.1"},
               {"x-amz-target", "Kinesis_20131202.ListStreams"}};
  r.body = std::move(body);
  return r;
}

class AuthTest : public ::testing::Test {
 protected:
  std::variant<Caller, Error> check(AuthMode mode, const HttpRequest& r) {
    AuthOptions options;
    options.mode = mode;
    options.credentials = credentials();
    options.default_account = "000000000000";
    const Authenticator auth(options, clock_);
    return auth.authenticate(r, auth.body_digest(r));
  }
  Caller expect_caller(AuthMode mode, const HttpRequest& r) {
    auto who = check(mode, r);
    if (auto* e = std::get_if<Error>(&who)) {
      ADD_FAILURE() << e->type << ": " << e->message;
      return {};
    }
    return std::get<Caller>(who);
  }
  void expect_error(AuthMode mode, const HttpRequest& r, std::string_view type,
                    std::string_view message) {
    auto who = check(mode, r);
    const Error* e = std::get_if<Error>(&who);
    ASSERT_NE(e, nullptr) << "accepted, expected " << type;
    EXPECT_EQ(e->type, type);
    EXPECT_EQ(e->message, message);
    EXPECT_EQ(e->http_status, 400);
  }
  HttpRequest with_authorization(std::string auth, std::string date_header = "x-amz-date",
                                 std::string date = "20260921T141320Z") {
    HttpRequest r = list_streams();
    if (!date_header.empty()) r.headers.push_back({date_header, date});
    r.headers.push_back({"authorization", std::move(auth)});
    return r;
  }

  FakeClock clock_{kNow};
};

// ---------------------------------------------------------------------------------------------
// The credentials file

TEST(AuthCredentials, ParsesKeysSecretsAndAccounts) {
  auto c = Credentials::parse(
      "\n  # comment\r\nAKID1 s3cr3t/with+chars= 123456789012\r\n\t AKID_2\t x  000000000001  \n",
      "f");
  ASSERT_TRUE(c.ok()) << c.status().message;
  EXPECT_EQ(c->size(), 2u);
  ASSERT_NE(c->find("AKID1"), nullptr);
  EXPECT_EQ(c->find("AKID1")->secret, "s3cr3t/with+chars=");
  EXPECT_EQ(c->find("AKID1")->account, "123456789012");
  EXPECT_EQ(c->find("AKID_2")->account, "000000000001");
  EXPECT_EQ(c->find("akid1"), nullptr);
  EXPECT_EQ(c->find("AKID"), nullptr);
}

TEST(AuthCredentials, RefusesABadFileWithTheLineAndNoSecret) {
  auto error = [](std::string_view text) {
    auto c = Credentials::parse(text, "keys.txt");
    EXPECT_FALSE(c.ok()) << text;
    return c.ok() ? std::string() : c.status().message;
  };
  EXPECT_EQ(error("AKID secret\n"),
            "keys.txt:1: expected ACCESS_KEY_ID SECRET_ACCESS_KEY ACCOUNT_ID, found 2 fields");
  EXPECT_EQ(error("# c\nAKID secret 123456789012 extra\n"),
            "keys.txt:2: expected ACCESS_KEY_ID SECRET_ACCESS_KEY ACCOUNT_ID, found 4 fields");
  EXPECT_EQ(error("AKID secret 12345\n"), "keys.txt:1: account id '12345' must be 12 digits");
  EXPECT_EQ(error("AKID secret 12345678901x\n"),
            "keys.txt:1: account id '12345678901x' must be 12 digits");
  EXPECT_EQ(error("AK/ID secret 123456789012\n"),
            "keys.txt:1: access key id 'AK/ID' must be 1 to 128 letters, digits, '_' or '-'");
  EXPECT_EQ(error("AKID a 123456789012\nAKID b 123456789012\n"),
            "keys.txt:2: access key id 'AKID' is listed twice");
  EXPECT_EQ(error(""), "keys.txt: no access keys");
  EXPECT_EQ(error("# only comments\n\n"), "keys.txt: no access keys");
}

TEST(AuthCredentials, LoadNamesAMissingFile) {
  auto c = Credentials::load("/nonexistent/kinesim-credentials");
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().message,
            "cannot read credentials file /nonexistent/kinesim-credentials: No such file or "
            "directory");
}

TEST(AuthCredentials, ModeNames) {
  EXPECT_EQ(parse_auth_mode("off"), AuthMode::kOff);
  EXPECT_EQ(parse_auth_mode("presence"), AuthMode::kPresence);
  EXPECT_EQ(parse_auth_mode("verify"), AuthMode::kVerify);
  EXPECT_EQ(parse_auth_mode("Verify"), std::nullopt);
  EXPECT_EQ(parse_auth_mode(""), std::nullopt);
}

// ---------------------------------------------------------------------------------------------
// presence (the default) and off

TEST_F(AuthTest, PresenceInsistsOnASignature) {
  expect_error(AuthMode::kPresence, list_streams(), "MissingAuthenticationTokenException",
               "Missing Authentication Token");
  expect_error(AuthMode::kPresence, with_authorization("X", ""), "IncompleteSignatureException",
               "Authorization header requires 'Credential' parameter. Authorization header "
               "requires 'Signature' parameter. Authorization header requires 'SignedHeaders' "
               "parameter. Authorization header requires existence of either a 'X-Amz-Date' or "
               "a 'Date' header. Authorization=X");
  for (const char* auth : {"AWS4- Signature=b Credential=a", "AWS4- Signature=b,Credential=a",
                           "AWS4- Signature=b, Credential=a"}) {
    expect_error(AuthMode::kPresence, with_authorization(auth, "date", "a"),
                 "IncompleteSignatureException",
                 std::string("Authorization header requires 'SignedHeaders' parameter. "
                             "Authorization=") +
                     auth);
  }
}

TEST_F(AuthTest, PresenceChecksPresignedParameters) {
  HttpRequest r = list_streams();
  r.target = "/?X-Amz-Algorithm";
  expect_error(AuthMode::kPresence, r, "IncompleteSignatureException",
               "AWS query-string parameters must include 'X-Amz-Algorithm'. AWS query-string "
               "parameters must include 'X-Amz-Credential'. AWS query-string parameters must "
               "include 'X-Amz-Signature'. AWS query-string parameters must include "
               "'X-Amz-SignedHeaders'. AWS query-string parameters must include 'X-Amz-Date'. "
               "Re-examine the query-string parameters.");
  r.target = "/?X-Amz-Algorithm=a&X-Amz-Credential=b&X-Amz-Signature=c&X-Amz-Date=d";
  expect_error(AuthMode::kPresence, r, "IncompleteSignatureException",
               "AWS query-string parameters must include 'X-Amz-SignedHeaders'. Re-examine the "
               "query-string parameters.");
  // Without X-Amz-Algorithm the rest does not count as a signature at all.
  r.target = "/?X-Amz-Credential=a&X-Amz-Signature=b&X-Amz-SignedHeaders=c&X-Amz-Date=d";
  expect_error(AuthMode::kPresence, r, "MissingAuthenticationTokenException",
               "Missing Authentication Token");
  // Both ways at once.
  HttpRequest both = with_authorization("X", "");
  both.target = "/?X-Amz-Algorithm";
  expect_error(AuthMode::kPresence, both, "InvalidSignatureException",
               "Found both 'X-Amz-Algorithm' as a query-string param and 'Authorization' as "
               "HTTP header.");
  // A misspelt parameter is not query authentication: the header is judged alone.
  HttpRequest typo = with_authorization("X", "");
  typo.target = "/?X-Amz-Algorith";
  auto who = check(AuthMode::kPresence, typo);
  ASSERT_TRUE(std::holds_alternative<Error>(who));
  EXPECT_EQ(std::get<Error>(who).type, "IncompleteSignatureException");
}

TEST_F(AuthTest, PresenceTakesAccountAndRegionFromTheCredential) {
  auto caller = [&](std::string key, std::string region) {
    return expect_caller(
        AuthMode::kPresence,
        with_authorization("AWS4-HMAC-SHA256 Credential=" + key + "/20260921/" + region +
                           "/kinesis/aws4_request, SignedHeaders=host, "
                           "Signature=00"));
  };
  EXPECT_EQ(caller("test", "us-west-2").account, "000000000000");
  EXPECT_EQ(caller("test", "us-west-2").region, "us-west-2");
  EXPECT_EQ(caller("123456789012", "eu-west-1").account, "123456789012");
  // A key in the credentials file acts in its account, even unverified.
  EXPECT_EQ(caller("AKIDBOB", "ap-south-1").account, "222222222222");
  // Presigned: the same from X-Amz-Credential.
  HttpRequest r = list_streams();
  r.target =
      "/?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIDALICE%2F20260921%2Fsa-east-1%2F"
      "kinesis%2Faws4_request&X-Amz-Signature=00&X-Amz-SignedHeaders=host&X-Amz-Date=d";
  const Caller c = expect_caller(AuthMode::kPresence, r);
  EXPECT_EQ(c.account, "111111111111");
  EXPECT_EQ(c.region, "sa-east-1");
}

TEST_F(AuthTest, OffChecksNothing) {
  const Caller c = expect_caller(AuthMode::kOff, list_streams());
  EXPECT_EQ(c.account, "000000000000");
  EXPECT_EQ(c.region, "us-east-1");
  const Caller x = expect_caller(AuthMode::kOff, with_authorization("X", ""));
  EXPECT_EQ(x.region, "us-east-1");
  const Caller scoped = expect_caller(
      AuthMode::kOff,
      with_authorization("AWS4-HMAC-SHA256 Credential=210987654321/20260921/eu-north-1/kinesis/"
                         "aws4_request",
                         ""));
  EXPECT_EQ(scoped.account, "210987654321");
  EXPECT_EQ(scoped.region, "eu-north-1");
}

// ---------------------------------------------------------------------------------------------
// verify

TEST_F(AuthTest, VerifyAcceptsARightSignatureAndActsInTheKeysAccount) {
  HttpRequest r = list_streams();
  testing::sign(r, kAlice, kNow);
  Caller c = expect_caller(AuthMode::kVerify, r);
  EXPECT_EQ(c.account, "111111111111");
  EXPECT_EQ(c.region, "eu-west-1");

  HttpRequest b = list_streams(R"({"Limit":5})");
  testing::sign(b, kBob, kNow - 4 * 60 * 1000);
  c = expect_caller(AuthMode::kVerify, b);
  EXPECT_EQ(c.account, "222222222222");
  EXPECT_EQ(c.region, "us-east-1");
}

TEST_F(AuthTest, VerifyRefusesAWrongSecretWithTheCanonicalRequest) {
  HttpRequest r = list_streams();
  r.headers = {{"host", "127.0.0.1:4566"}};
  SigningKey wrong = kAlice;
  wrong.secret = "not-alices-secret";
  testing::sign(r, wrong, kNow, "host;x-amz-date");
  // sha256("{}") and the hash of the canonical request, worked out apart from kinesim.
  expect_error(AuthMode::kVerify, r, "InvalidSignatureException",
               "The request signature we calculated does not match the signature you provided. "
               "Check your AWS Secret Access Key and signing method. Consult the service "
               "documentation for details.\n\n"
               "The Canonical String for this request should have been\n"
               "'POST\n/\n\nhost:127.0.0.1:4566\nx-amz-date:20260921T141320Z\n\nhost;x-amz-date\n"
               "44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a'\n\n"
               "The String-to-Sign should have been\n"
               "'AWS4-HMAC-SHA256\n20260921T141320Z\n20260921/eu-west-1/kinesis/aws4_request\n" +
                   sigv4::sha256_hex("POST\n/\n\nhost:127.0.0.1:4566\nx-amz-date:"
                                     "20260921T141320Z\n\nhost;x-amz-date\n44136fa355b3678a1146"
                                     "ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a") +
                   "'\n");
}

TEST_F(AuthTest, VerifyRefusesATamperedRequest) {
  HttpRequest r = list_streams();
  testing::sign(r, kAlice, kNow);
  HttpRequest body = r;
  body.body = R"({"Limit":1})";
  HttpRequest target = r;
  target.headers[2].value = "Kinesis_20131202.DeleteStream";
  HttpRequest path = r;
  path.target = "/other";
  for (const HttpRequest& bad : {body, target, path}) {
    auto who = check(AuthMode::kVerify, bad);
    ASSERT_TRUE(std::holds_alternative<Error>(who));
    EXPECT_EQ(std::get<Error>(who).type, "InvalidSignatureException");
    EXPECT_EQ(std::get<Error>(who).message.rfind("The request signature we calculated does not "
                                                 "match the signature you provided.",
                                                 0),
              0u);
  }
}

TEST_F(AuthTest, VerifyRefusesAnUnknownKey) {
  HttpRequest r = list_streams();
  testing::sign(r, SigningKey{"AKIDMALLORY", "whatever"}, kNow);
  expect_error(AuthMode::kVerify, r, "UnrecognizedClientException",
               "The security token included in the request is invalid.");
}

TEST_F(AuthTest, VerifyHoldsTheSignatureToFiveMinutesOfTheClock) {
  HttpRequest edge = list_streams();
  testing::sign(edge, kAlice, kNow - 5 * 60 * 1000);
  expect_caller(AuthMode::kVerify, edge);
  HttpRequest late = list_streams();
  testing::sign(late, kAlice, kNow - 5 * 60 * 1000 - 1000);
  expect_error(AuthMode::kVerify, late, "InvalidSignatureException",
               "Signature expired: 20260921T140819Z is now earlier than 20260921T140820Z "
               "(20260921T141320Z - 5 min.)");
  HttpRequest early = list_streams();
  testing::sign(early, kAlice, kNow + 5 * 60 * 1000 + 1000);
  expect_error(AuthMode::kVerify, early, "InvalidSignatureException",
               "Signature not yet current: 20260921T141821Z is still later than "
               "20260921T141820Z (20260921T141320Z + 5 min.)");
  // The same request turns stale as the clock moves.
  HttpRequest r = list_streams();
  testing::sign(r, kAlice, kNow);
  clock_.advance_ms(6 * 60 * 1000);
  expect_error(AuthMode::kVerify, r, "InvalidSignatureException",
               "Signature expired: 20260921T141320Z is now earlier than 20260921T141420Z "
               "(20260921T141920Z - 5 min.)");
}

TEST_F(AuthTest, VerifyChecksTheCredentialScope) {
  auto scoped = [&](std::string region, std::string service) {
    HttpRequest r = list_streams();
    SigningKey k = kAlice;
    k.region = std::move(region);
    k.service = std::move(service);
    testing::sign(r, k, kNow);
    return r;
  };
  expect_caller(AuthMode::kVerify, scoped("us-gov-west-1", "kinesis"));
  expect_error(AuthMode::kVerify, scoped("xx", "kinesis"), "InvalidSignatureException",
               "Credential should be scoped to a valid region, not 'xx'. ");
  expect_error(AuthMode::kVerify, scoped("us-east-1a", "kinesis"), "InvalidSignatureException",
               "Credential should be scoped to a valid region, not 'us-east-1a'. ");
  expect_error(AuthMode::kVerify, scoped("us-east-1", "dynamodb"), "InvalidSignatureException",
               "Credential should be scoped to correct service: 'kinesis'. ");

  expect_error(AuthMode::kVerify,
               with_authorization("AWS4-HMAC-SHA256 Credential=AKIDALICE/20260921/us-east-1/"
                                  "kinesis, SignedHeaders=host, Signature=00"),
               "IncompleteSignatureException",
               "Credential must have exactly 5 slash-delimited elements, e.g. "
               "keyid/date/region/service/term, got 'AKIDALICE/20260921/us-east-1/kinesis'");
  expect_error(AuthMode::kVerify,
               with_authorization("AWS4-HMAC-SHA256 Credential=AKIDALICE/20260921/us-east-1/"
                                  "kinesis/aws5_request, SignedHeaders=host, Signature=00"),
               "InvalidSignatureException",
               "Credential should be scoped with a valid terminator: 'aws4_request', not "
               "'aws5_request'. ");
  expect_error(AuthMode::kVerify,
               with_authorization("AWS4-HMAC-SHA256 Credential=AKIDALICE/20260920/us-east-1/"
                                  "kinesis/aws4_request, SignedHeaders=host, Signature=00"),
               "InvalidSignatureException",
               "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date "
               "from HTTP: '20260920' != '20260921', from '20260921T141320Z'.");
  expect_error(AuthMode::kVerify,
               with_authorization("AWS4-HMAC-SHA256 Credential=AKIDALICE/20260921/us-east-1/"
                                  "kinesis/aws4_request, SignedHeaders=x-amz-date, Signature=00"),
               "InvalidSignatureException",
               "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.");
  expect_error(AuthMode::kVerify,
               with_authorization("AWS4-HMAC-SHA256 Credential=AKIDALICE/20260921/us-east-1/"
                                  "kinesis/aws4_request, SignedHeaders=host, Signature=00",
                                  "x-amz-date", "2026-09-21T14:13:20Z"),
               "InvalidSignatureException",
               "Date must be in ISO-8601 'basic format'. Got '2026-09-21T14:13:20Z'. See "
               "http://en.wikipedia.org/wiki/ISO_8601");
}

TEST_F(AuthTest, VerifyTakesTheDateHeaderWhenThereIsNoXAmzDate) {
  HttpRequest r = list_streams();
  r.headers = {{"host", "127.0.0.1:4566"}, {"date", "Mon, 21 Sep 2026 14:13:20 GMT"}};
  const std::string canonical =
      sigv4::canonical_request_for(r, "date;host", sigv4::sha256_hex(r.body));
  const std::string scope = "20260921/eu-west-1/kinesis/aws4_request";
  const std::string signature =
      sigv4::signature(sigv4::signing_key(kAlice.secret, "20260921", "eu-west-1", "kinesis"),
                       sigv4::string_to_sign("20260921T141320Z", scope, canonical));
  r.headers.push_back({"authorization", "AWS4-HMAC-SHA256 Credential=AKIDALICE/" + scope +
                                            ", SignedHeaders=date;host, Signature=" + signature});
  EXPECT_EQ(expect_caller(AuthMode::kVerify, r).account, "111111111111");
}

TEST_F(AuthTest, VerifyAcceptsPresignedRequestsUntilTheyExpire) {
  HttpRequest r = list_streams();
  testing::presign(r, kBob, kNow, /*expires_s=*/60);
  EXPECT_EQ(expect_caller(AuthMode::kVerify, r).account, "222222222222");

  // Any body: a presigned payload is unsigned.
  HttpRequest other_body = r;
  other_body.body = R"({"Limit":2})";
  expect_caller(AuthMode::kVerify, other_body);

  HttpRequest tampered = r;
  tampered.headers[2].value = "Kinesis_20131202.DeleteStream";
  auto who = check(AuthMode::kVerify, tampered);
  ASSERT_TRUE(std::holds_alternative<Error>(who));
  EXPECT_EQ(std::get<Error>(who).type, "InvalidSignatureException");

  HttpRequest extra_param = r;
  extra_param.target.replace(0, 2, "/?StreamName=x&");
  who = check(AuthMode::kVerify, extra_param);
  ASSERT_TRUE(std::holds_alternative<Error>(who));
  EXPECT_EQ(std::get<Error>(who).type, "InvalidSignatureException");

  clock_.advance_ms(61 * 1000);
  expect_error(AuthMode::kVerify, r, "InvalidSignatureException",
               "Signature expired: 20260921T141320Z is now earlier than 20260921T141321Z "
               "(20260921T141421Z - 60 sec.)");
}

TEST_F(AuthTest, VerifyStillInsistsOnACompleteSignature) {
  expect_error(AuthMode::kVerify, list_streams(), "MissingAuthenticationTokenException",
               "Missing Authentication Token");
  expect_error(AuthMode::kVerify,
               with_authorization("AWS4-HMAC-SHA512 Credential=AKIDALICE/20260921/us-east-1/"
                                  "kinesis/aws4_request, SignedHeaders=host, Signature=00"),
               "IncompleteSignatureException", "Unsupported AWS 'algorithm': 'AWS4-HMAC-SHA512'");
}

}  // namespace
}  // namespace kinesim::api
