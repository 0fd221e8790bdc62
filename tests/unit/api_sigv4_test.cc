// SigV4 as kinesim recomputes it, against the values AWS publishes: the "get-vanilla" walk-through
// of the AWS General Reference, the signing-key example, and signed requests of AWS's SigV4 test
// suite (access key AKIDEXAMPLE, region us-east-1, service "service", 20150830T123600Z).
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "api/sigv4.h"

namespace kinesim::api {
namespace {

constexpr const char* kSecret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
constexpr const char* kEmptySha256 =
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

TEST(SigV4, Sha256AndHmac) {
  EXPECT_EQ(sigv4::sha256_hex(""), kEmptySha256);
  // RFC 4231 test case 2.
  EXPECT_EQ(sigv4::to_hex(sigv4::hmac_sha256("Jefe", "what do ya want for nothing?")),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

TEST(SigV4, SigningKeyOfThePublishedExample) {
  // AWS General Reference, "Deriving the signing key": 20150830, us-east-1, iam.
  EXPECT_EQ(sigv4::to_hex(sigv4::signing_key(kSecret, "20150830", "us-east-1", "iam")),
            "c4afb1cc5771d871763a393e44b703571b55cc28424d1a5e86da6ed3c154a4b9");
}

TEST(SigV4, GetVanillaStepByStep) {
  const std::string canonical = sigv4::canonical_request(
      "GET", "/", "", "host:example.amazonaws.com\nx-amz-date:20150830T123600Z\n",
      "host;x-amz-date", kEmptySha256);
  EXPECT_EQ(canonical,
            "GET\n/\n\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\n"
            "host;x-amz-date\n"
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  const std::string to_sign = sigv4::string_to_sign(
      "20150830T123600Z", "20150830/us-east-1/service/aws4_request", canonical);
  EXPECT_EQ(to_sign,
            "AWS4-HMAC-SHA256\n20150830T123600Z\n20150830/us-east-1/service/aws4_request\n"
            "bb579772317eb040ac9ed261061d46c1f17a8133879d6129b6e1c25292927e63");
  EXPECT_EQ(
      sigv4::signature(sigv4::signing_key(kSecret, "20150830", "us-east-1", "service"), to_sign),
      "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31");
}

TEST(SigV4, UriEncoding) {
  EXPECT_EQ(sigv4::uri_encode("-._~AZaz09", false), "-._~AZaz09");
  EXPECT_EQ(sigv4::uri_encode("a b+c/d=e&f", false), "a%20b%2Bc%2Fd%3De%26f");
  EXPECT_EQ(sigv4::uri_encode("a b/c", true), "a%20b/c");
  EXPECT_EQ(sigv4::uri_encode("\xe1\x88\xb4", false), "%E1%88%B4");
  EXPECT_EQ(sigv4::percent_decode("a%20b%2fc%zz%4"), "a b/c%zz%4");
  EXPECT_EQ(sigv4::percent_decode("a+b"), "a+b");
}

TEST(SigV4, CanonicalUriNormalisesAndEncodesAgain) {
  EXPECT_EQ(sigv4::canonical_uri(""), "/");
  EXPECT_EQ(sigv4::canonical_uri("/"), "/");
  EXPECT_EQ(sigv4::canonical_uri("//example//"), "/example/");              // get-slashes
  EXPECT_EQ(sigv4::canonical_uri("/./"), "/");                              // get-slash-dot-slash
  EXPECT_EQ(sigv4::canonical_uri("/example1/example2/../.."), "/");         // get-relative-relative
  EXPECT_EQ(sigv4::canonical_uri("/example/.."), "/");                      // get-relative
  EXPECT_EQ(sigv4::canonical_uri("/example space/"), "/example%20space/");  // get-space
  EXPECT_EQ(sigv4::canonical_uri("/\xe1\x88\xb4"), "/%E1%88%B4");           // get-utf8
  // A path that arrived encoded is encoded once more, as the SDKs sign it (not S3).
  EXPECT_EQ(sigv4::canonical_uri("/a%20b"), "/a%2520b");
}

TEST(SigV4, CanonicalQuery) {
  EXPECT_EQ(sigv4::canonical_query(sigv4::parse_query("Param2=value2&Param1=value1")),
            "Param1=value1&Param2=value2");
  EXPECT_EQ(sigv4::canonical_query(sigv4::parse_query("b=2&a=1&A=0")), "A=0&a=1&b=2");
  EXPECT_EQ(sigv4::canonical_query(sigv4::parse_query("\xe1\x88\xb4=bar")), "%E1%88%B4=bar");
  EXPECT_EQ(sigv4::canonical_query(sigv4::parse_query("X-Amz-Algorithm&a=")),
            "X-Amz-Algorithm=&a=");
  // get-vanilla-with-session-token (presigned): encoded values, and X-Amz-Signature left out.
  EXPECT_EQ(
      sigv4::canonical_query(
          sigv4::parse_query("X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIDEXAMPLE%2F"
                             "20150830%2Fus-east-1%2Fservice%2Faws4_request&X-Amz-Date=20150830"
                             "T123600Z&X-Amz-SignedHeaders=host%3Bx-amz-security-token&X-Amz-"
                             "Expires=3600&X-Amz-Signature=abc&X-Amz-Security-Token=6e86"),
          "X-Amz-Signature"),
      "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIDEXAMPLE%2F20150830%2Fus-east-1%2F"
      "service%2Faws4_request&X-Amz-Date=20150830T123600Z&X-Amz-Expires=3600&X-Amz-Security-"
      "Token=6e86&X-Amz-SignedHeaders=host%3Bx-amz-security-token");
}

TEST(SigV4, HeaderValuesAreTrimmedAndCollapsed) {
  EXPECT_EQ(sigv4::canonical_header_value(" value1"), "value1");
  EXPECT_EQ(sigv4::canonical_header_value("\"a   b   c\""), "\"a b c\"");
  EXPECT_EQ(sigv4::canonical_header_value(" \t a \t b \t "), "a b");
}

TEST(SigV4, ConstantTimeEqual) {
  EXPECT_TRUE(sigv4::constant_time_equal("abc", "abc"));
  EXPECT_FALSE(sigv4::constant_time_equal("abc", "abd"));
  EXPECT_FALSE(sigv4::constant_time_equal("abc", "ab"));
}

// One request of AWS's test suite, as its header-signed-request.txt spells it: request line,
// headers, a blank line, the body.
HttpRequest parse_signed_request(std::string_view text, std::string* signature,
                                 std::string* signed_headers) {
  HttpRequest r;
  size_t eol = text.find('\n');
  std::string_view line = text.substr(0, eol);
  r.method = std::string(line.substr(0, line.find(' ')));
  line.remove_prefix(r.method.size() + 1);
  r.target = std::string(line.substr(0, line.rfind(" HTTP/1.1")));
  text.remove_prefix(eol + 1);
  while (!text.empty() && text.front() != '\n') {
    eol = text.find('\n');
    line = text.substr(0, eol);
    text.remove_prefix(eol + 1);
    const size_t colon = line.find(':');
    std::string name(line.substr(0, colon));
    for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    std::string value(line.substr(colon + 1));
    if (name == "authorization") {
      const size_t sig = value.find("Signature=");
      *signature = value.substr(sig + 10);
      const size_t sh = value.find("SignedHeaders=");
      *signed_headers = value.substr(sh + 14, value.find(',', sh) - sh - 14);
    }
    r.headers.push_back({std::move(name), std::move(value)});
  }
  if (!text.empty()) text.remove_prefix(1);
  r.body = std::string(text);
  return r;
}

struct SuiteCase {
  const char* name;
  const char* request;
};

// Signed requests from AWS's SigV4 test suite (awslabs/aws-c-auth, aws-signing-test-suite/v4).
const SuiteCase kSuite[] = {
    {"get-vanilla",
     "GET / HTTP/1.1\nHost:example.amazonaws.com\nX-Amz-Date:20150830T123600Z\nAuthorization:"
     "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, "
     "SignedHeaders=host;x-amz-date, "
     "Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31\n\n"},
    {"get-vanilla-query-order-key-case",
     "GET /?Param2=value2&Param1=value1 HTTP/1.1\nHost:example.amazonaws.com\nAuthorization:"
     "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, "
     "SignedHeaders=host;x-amz-date, "
     "Signature=b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500\n"
     "X-Amz-Date:20150830T123600Z\n\n"},
    {"get-vanilla-empty-query-key",
     "GET /?Param1=value1 HTTP/1.1\nHost:example.amazonaws.com\nAuthorization:AWS4-HMAC-SHA256 "
     "Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, "
     "SignedHeaders=host;x-amz-date, "
     "Signature=a67d582fa61cc504c4bae71f336f98b97f1ea3c7a6bfe1b6e45aec72011b9aeb\n"
     "X-Amz-Date:20150830T123600Z\n\n"},
    {"get-vanilla-query-unreserved",
     "GET /?-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz=-._~0123456789ABCD"
     "EFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz HTTP/1.1\nHost:example.amazonaws.com\n"
     "Authorization:AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/"
     "aws4_request, SignedHeaders=host;x-amz-date, "
     "Signature=9c3e54bfcdf0b19771a7f523ee5669cdf59bc7cc0884027167c21bb143a40197\n"
     "X-Amz-Date:20150830T123600Z\n\n"},
    {"get-vanilla-utf8-query",
     "GET /?\xe1\x88\xb4=bar HTTP/1.1\nHost:example.amazonaws.com\nAuthorization:"
     "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, "
     "SignedHeaders=host;x-amz-date, "
     "Signature=2cdec8eed098649ff3a119c94853b13c643bcf08f8b0a1d91e12c9027818dd04\n"
     "X-Amz-Date:20150830T123600Z\n\n"},
    {"get-header-value-trim",
     "GET / HTTP/1.1\nHost:example.amazonaws.com\nMy-Header1: value1\nMy-Header2: \"a   b   c\"\n"
     "Authorization:AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/"
     "aws4_request, SignedHeaders=host;my-header1;my-header2;x-amz-date, "
     "Signature=acc3ed3afb60bb290fc8d2dd0098b9911fcaa05412b367055dee359757a9c736\n"
     "X-Amz-Date:20150830T123600Z\n\n"},
    {"get-header-key-duplicate",
     "GET / HTTP/1.1\nHost:example.amazonaws.com\nMy-Header1:value2\nMy-Header1:value2\n"
     "My-Header1:value1\nAuthorization:AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/"
     "us-east-1/service/aws4_request, SignedHeaders=host;my-header1;x-amz-date, "
     "Signature=c9d5ea9f3f72853aea855b47ea873832890dbdd183b4468f858259531a5138ea\n"
     "X-Amz-Date:20150830T123600Z\n\n"},
    {"get-slashes-normalized",
     "GET //example// HTTP/1.1\nHost:example.amazonaws.com\nAuthorization:AWS4-HMAC-SHA256 "
     "Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, "
     "SignedHeaders=host;x-amz-date, "
     "Signature=9a624bd73a37c9a373b5312afbebe7a714a789de108f0bdfe846570885f57e84\n"
     "X-Amz-Date:20150830T123600Z\n\n"},
    {"get-relative-relative-normalized",
     "GET /example1/example2/../.. HTTP/1.1\nHost:example.amazonaws.com\nAuthorization:"
     "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, "
     "SignedHeaders=host;x-amz-date, "
     "Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31\n"
     "X-Amz-Date:20150830T123600Z\n\n"},
    {"get-space-normalized",
     "GET /example space/ HTTP/1.1\nHost:example.amazonaws.com\nAuthorization:AWS4-HMAC-SHA256 "
     "Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, "
     "SignedHeaders=host;x-amz-date, "
     "Signature=652487583200325589f1fba4c7e578f72c47cb61beeca81406b39ddec1366741\n"
     "X-Amz-Date:20150830T123600Z\n\n"},
    {"get-utf8",
     "GET /\xe1\x88\xb4 HTTP/1.1\nHost:example.amazonaws.com\nAuthorization:AWS4-HMAC-SHA256 "
     "Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, "
     "SignedHeaders=host;x-amz-date, "
     "Signature=8318018e0b0f223aa2bbf98705b62bb787dc9c0e678f255a891fd03141be5d85\n"
     "X-Amz-Date:20150830T123600Z\n\n"},
    {"post-vanilla",
     "POST / HTTP/1.1\nHost:example.amazonaws.com\nAuthorization:AWS4-HMAC-SHA256 "
     "Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, "
     "SignedHeaders=host;x-amz-date, "
     "Signature=5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b\n"
     "X-Amz-Date:20150830T123600Z\n\n"},
};

TEST(SigV4, RecomputesEverySignatureOfTheAwsSuite) {
  const std::string key = sigv4::signing_key(kSecret, "20150830", "us-east-1", "service");
  for (const SuiteCase& c : kSuite) {
    SCOPED_TRACE(c.name);
    std::string signature, signed_headers;
    const HttpRequest r = parse_signed_request(c.request, &signature, &signed_headers);
    const std::string canonical =
        sigv4::canonical_request_for(r, signed_headers, sigv4::sha256_hex(r.body));
    const std::string to_sign = sigv4::string_to_sign(
        "20150830T123600Z", "20150830/us-east-1/service/aws4_request", canonical);
    EXPECT_EQ(sigv4::signature(key, to_sign), signature) << canonical;
  }
}

TEST(SigV4, AnyChangeToASignedPartChangesTheSignature) {
  const std::string key = sigv4::signing_key(kSecret, "20150830", "us-east-1", "service");
  std::string signature, signed_headers;
  const HttpRequest original = parse_signed_request(kSuite[0].request, &signature, &signed_headers);
  auto sign = [&](const HttpRequest& r) {
    return sigv4::signature(
        key, sigv4::string_to_sign(
                 "20150830T123600Z", "20150830/us-east-1/service/aws4_request",
                 sigv4::canonical_request_for(r, signed_headers, sigv4::sha256_hex(r.body))));
  };
  ASSERT_EQ(sign(original), signature);
  HttpRequest r = original;
  r.method = "POST";
  EXPECT_NE(sign(r), signature);
  r = original;
  r.target = "/?a=b";
  EXPECT_NE(sign(r), signature);
  r = original;
  r.headers[0].value = "example.amazonaws.com.evil";
  EXPECT_NE(sign(r), signature);
  r = original;
  r.body = "{}";
  EXPECT_NE(sign(r), signature);
  // An unsigned header may change freely.
  r = original;
  r.headers.push_back({"user-agent", "anything"});
  EXPECT_EQ(sign(r), signature);
}

}  // namespace
}  // namespace kinesim::api
