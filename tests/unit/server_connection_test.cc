// What Kinesis answers before a request reaches an operation, over real HTTP: CORS, methods,
// content types, empty and malformed bodies, the application/json envelope, and the signature
// checks of each --auth mode. Statuses, content types and bodies are byte for byte those recorded
// against AWS (see api/protocol.h); x-amz-id-2 values are the server's, and only which answers
// carry one is checked here.
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "cbor_test_util.h"
#include "server_test_fixture.h"
#include "sigv4_signer.h"

namespace kinesim::testing {
namespace {

// A CBOR error body as Kinesis writes it: an indefinite-length map with one text member.
std::string cbor_type_only(const std::string& type) {
  std::string out = "\xbf\x66__type";
  if (type.size() < 24) {
    out += static_cast<char>(0x60 + type.size());
  } else {
    out += '\x78';
    out += static_cast<char>(type.size());
  }
  return out + type + "\xff";
}

const std::string kCborUnknown = cbor_type_only("UnknownOperationException");
const std::string kCborSerialization = cbor_type_only("SerializationException");
const std::string kMissingTokenXml =
    "<MissingAuthenticationTokenException>\n"
    "  <Message>Missing Authentication Token</Message>\n"
    "</MissingAuthenticationTokenException>\n";
const std::string kAccessDeniedXml =
    "<AccessDeniedException>\n"
    "  <Message>Unable to determine service/operation name to be authorized</Message>\n"
    "</AccessDeniedException>\n";
constexpr const char* kJson = "application/x-amz-json-1.1";
constexpr const char* kCbor = "application/x-amz-cbor-1.1";
constexpr const char* kExposed =
    "x-amzn-RequestId,x-amzn-ErrorType,x-amz-request-id,x-amz-id-2,x-amzn-ErrorMessage,Date";

// A complete SigV4 header signature (presence mode never checks the signature itself).
const std::vector<std::pair<std::string, std::string>> kSigned = {
    {"X-Amz-Date", "20260921T141320Z"},
    {"Authorization",
     "AWS4-HMAC-SHA256 Credential=test/20260921/us-east-1/kinesis/aws4_request, "
     "SignedHeaders=host;x-amz-date, Signature=0123456789abcdef"}};

class ConnectionTest : public ServerTest {
 protected:
  using ServerTest::ServerTest;

  Raw request(const std::string& method, const std::string& path,
              std::vector<std::pair<std::string, std::string>> headers, const std::string& body,
              bool signed_ = false) {
    if (signed_) headers.insert(headers.end(), kSigned.begin(), kSigned.end());
    std::vector<harness::HttpHeader> h;
    for (const auto& [name, value] : headers) h.push_back({name, value});
    return copy(client_->send(method, path, h, body));
  }
  Raw post(std::vector<std::pair<std::string, std::string>> headers, const std::string& body = "",
           bool signed_ = false, const std::string& path = "/") {
    return request("POST", path, std::move(headers), body, signed_);
  }

  // `r` must be exactly this answer: status, Content-Type (none when `type` is null), body, a
  // Content-Length that matches it, and a request id.
  static void expect_answer(const Raw& r, int status, const char* type, const std::string& body) {
    EXPECT_EQ(r.status, status) << r.body;
    if (type == nullptr) {
      EXPECT_FALSE(r.has("content-type")) << r.header("content-type");
    } else {
      EXPECT_EQ(r.header("content-type"), type);
    }
    EXPECT_EQ(r.body, body);
    EXPECT_EQ(r.header("content-length"), std::to_string(r.body.size()));
    EXPECT_EQ(r.header("x-amzn-requestid").size(), 36u);
  }
  static std::string json_error(const std::string& type, const std::string& message = "") {
    if (message.empty()) return R"({"__type":")" + type + R"("})";
    return R"({"__type":")" + type + R"(","message":)" + q(message) + "}";
  }
};

// ---------------------------------------------------------------------------------------------
// Methods, content types and empty bodies

TEST_F(ConnectionTest, PostWithoutBodyIsAnsweredInCbor) {
  expect_answer(post({}), 400, kCbor, kCborUnknown);            // no auth
  expect_answer(post({}, "", true), 400, kCbor, kCborUnknown);  // signed
  for (const char* type : {"application/x-amz-json-1.0", "application/x-amz-json-1.1asdf",
                           "application/json", "application/x-amz-cbor-1.1"}) {
    SCOPED_TRACE(type);
    expect_answer(post({{"Content-Type", type}}, "", true), 400, kCbor, kCborUnknown);
  }
  for (const char* target : {"Whatever", "Kinesis_20131202.", "Kinesis_20131202.Whatever",
                             "Whatever.Whatever", "Kinesis_20131202.ListStream"}) {
    SCOPED_TRACE(target);
    expect_answer(post({{"X-Amz-Target", target}}, "", true), 400, kCbor, kCborUnknown);
  }
  // A real operation without a body or content type is a serialization failure.
  expect_answer(post({{"X-Amz-Target", "Kinesis_20131202.ListStreams"}}, "", true), 400, kCbor,
                kCborSerialization);
  expect_answer(
      post({{"X-Amz-Target", "Kinesis_20131202.ListStreams"}, {"Content-Type", "application/json"}},
           "", true),
      400, kCbor, kCborSerialization);
}

TEST_F(ConnectionTest, OtherMethodsAreRefusedInXmlWithoutContentType) {
  for (const char* method : {"GET", "PUT", "DELETE"}) {
    SCOPED_TRACE(method);
    expect_answer(request(method, "/", {}, "", true), 403, nullptr, kAccessDeniedXml);
    expect_answer(request(method, "/", {}, ""), 403, nullptr, kMissingTokenXml);
  }
  // OPTIONS without Origin is no preflight.
  expect_answer(request("OPTIONS", "/", {}, ""), 403, nullptr, kMissingTokenXml);
  expect_answer(request("OPTIONS", "/", {}, "", true), 403, nullptr, kAccessDeniedXml);
  // A body in no protocol Kinesis reads.
  expect_answer(post({}, "{}", true), 403, nullptr, kAccessDeniedXml);
  expect_answer(post({{"Content-Type", "text/plain"}}, "{}"), 403, nullptr, kMissingTokenXml);
  expect_answer(post({{"Content-Type", "application/x-amz-json-1.0"},
                      {"X-Amz-Target", "Kinesis_20131202.ListStreams"}},
                     "{}", true),
                404, nullptr, "<UnknownOperationException/>\n");
}

TEST_F(ConnectionTest, XmlRefusalsFollowTheSignatureAndThenTheTarget) {
  expect_answer(request("GET", "/", {{"Authorization", "a"}}, ""), 403, nullptr,
                "<IncompleteSignatureException>\n  <Message>Authorization header requires "
                "'Credential' parameter. Authorization header requires 'Signature' parameter. "
                "Authorization header requires 'SignedHeaders' parameter. Authorization header "
                "requires existence of either a 'X-Amz-Date' or a 'Date' header. "
                "Authorization=a</Message>\n</IncompleteSignatureException>\n");
  expect_answer(request("GET", "/?X-Amz-Algorithm", {}, ""), 403, nullptr,
                "<IncompleteSignatureException>\n  <Message>AWS query-string parameters must "
                "include 'X-Amz-Algorithm'. AWS query-string parameters must include "
                "'X-Amz-Credential'. AWS query-string parameters must include "
                "'X-Amz-Signature'. AWS query-string parameters must include "
                "'X-Amz-SignedHeaders'. AWS query-string parameters must include 'X-Amz-Date'. "
                "Re-examine the query-string parameters.</Message>\n"
                "</IncompleteSignatureException>\n");
  expect_answer(request("GET", "/?X-Amz-Algorithm", {{"Authorization", "a"}}, ""), 403, nullptr,
                "<InvalidSignatureException>\n  <Message>Found both 'X-Amz-Algorithm' as a "
                "query-string param and 'Authorization' as HTTP header.</Message>\n"
                "</InvalidSignatureException>\n");
  expect_answer(request("GET", "/", {{"X-Amz-Target", "whatever.ListStreams"}}, "", true), 403,
                nullptr,
                "<UnrecognizedClientException>\n  <Message>No authorization strategy was found "
                "for service: whatever, operation: ListStreams</Message>\n"
                "</UnrecognizedClientException>\n");
  expect_answer(request("GET", "/", {{"X-Amz-Target", "Kinesis_20131202.whatever"}}, "", true), 500,
                nullptr, "<InternalFailure/>\n");
  expect_answer(request("GET", "/", {{"X-Amz-Target", "Kinesis_20131202.ListStreams"}}, "", true),
                404, nullptr, "<UnknownOperationException/>\n");
  for (const char* target : {"whatever", "Kinesis_20131202."}) {
    expect_answer(request("GET", "/", {{"X-Amz-Target", target}}, "", true), 403, nullptr,
                  kAccessDeniedXml);
  }
  // What the client sent is escaped in the XML.
  expect_answer(request("GET", "/", {{"Authorization", "<&>"}}, ""), 403, nullptr,
                "<IncompleteSignatureException>\n  <Message>Authorization header requires "
                "'Credential' parameter. Authorization header requires 'Signature' parameter. "
                "Authorization header requires 'SignedHeaders' parameter. Authorization header "
                "requires existence of either a 'X-Amz-Date' or a 'Date' header. "
                "Authorization=&lt;&amp;&gt;</Message>\n</IncompleteSignatureException>\n");
}

// ---------------------------------------------------------------------------------------------
// CORS

TEST_F(ConnectionTest, PreflightAnswersWithTheRequestedHeadersAndMethods) {
  for (bool signed_ : {false, true}) {
    Raw r = request("OPTIONS", "/", {{"Origin", "whatever"}}, "", signed_);
    expect_answer(r, 200, nullptr, "");
    EXPECT_EQ(r.header("access-control-allow-origin"), "*");
    EXPECT_EQ(r.header("access-control-max-age"), "172800");
    EXPECT_FALSE(r.has("access-control-allow-headers"));
    EXPECT_FALSE(r.has("access-control-allow-methods"));
    EXPECT_FALSE(r.has("access-control-expose-headers"));
    EXPECT_FALSE(r.has("x-amz-id-2")) << "AWS sends no x-amz-id-2 with a preflight answer";
  }
  Raw r = request("OPTIONS", "/",
                  {{"Origin", "whatever"},
                   {"Access-Control-Request-Headers", "a, b, c"},
                   {"Access-Control-Request-Method", "d"}},
                  "");
  expect_answer(r, 200, nullptr, "");
  EXPECT_EQ(r.header("access-control-allow-headers"), "a, b, c");
  EXPECT_EQ(r.header("access-control-allow-methods"), "d");
  EXPECT_EQ(r.header("access-control-max-age"), "172800");
}

TEST_F(ConnectionTest, AnswersToAnOriginCarryCorsHeaders) {
  Raw refused = post({{"Origin", "whatever"}}, "", true);
  expect_answer(refused, 400, kCbor, kCborUnknown);
  EXPECT_EQ(refused.header("access-control-allow-origin"), "*");
  EXPECT_EQ(refused.header("access-control-expose-headers"), kExposed);

  Raw xml = request("GET", "/", {{"Origin", "whatever"}}, "");
  expect_answer(xml, 403, nullptr, kMissingTokenXml);
  EXPECT_EQ(xml.header("access-control-allow-origin"), "*");

  Raw ok = post({{"Origin", "https://app.example"},
                 {"Content-Type", kJson},
                 {"X-Amz-Target", "Kinesis_20131202.ListStreams"}},
                "{}", true);
  EXPECT_EQ(ok.status, 200) << ok.body;
  EXPECT_EQ(ok.header("access-control-allow-origin"), "*");
  EXPECT_EQ(ok.header("access-control-expose-headers"), kExposed);
  // Only the preflight answer goes without x-amz-id-2.
  EXPECT_TRUE(ok.has("x-amz-id-2"));
  EXPECT_TRUE(refused.has("x-amz-id-2"));
  EXPECT_TRUE(xml.has("x-amz-id-2"));

  Raw plain =
      post({{"Content-Type", kJson}, {"X-Amz-Target", "Kinesis_20131202.ListStreams"}}, "{}", true);
  EXPECT_EQ(plain.status, 200);
  EXPECT_FALSE(plain.has("access-control-allow-origin"));
  EXPECT_FALSE(plain.has("access-control-expose-headers"));
}

// ---------------------------------------------------------------------------------------------
// JSON

TEST_F(ConnectionTest, JsonWithoutTargetOrBody) {
  for (bool signed_ : {false, true}) {
    expect_answer(post({{"Content-Type", kJson}}, "", signed_), 400, kJson,
                  json_error("UnknownOperationException"));
    expect_answer(post({{"Content-Type", kJson}, {"X-Amz-Target", "Kinesis_20131202.ListStreams"}},
                       "", signed_),
                  400, kJson, json_error("SerializationException"));
  }
}

TEST_F(ConnectionTest, BodiesThatAreNotAJsonObjectComeBeforeTheTarget) {
  for (const char* body : {"hello", "true", "null", "5", "\"x\"", "{"}) {
    SCOPED_TRACE(body);
    expect_answer(
        post({{"Content-Type", kJson}, {"X-Amz-Target", "Kinesis_20131202.ListStreams"}}, body),
        400, kJson, json_error("SerializationException"));
    expect_answer(post({{"Content-Type", kJson}, {"X-Amz-Target", "Nope"}}, body), 400, kJson,
                  json_error("SerializationException"));
  }
  expect_answer(post({{"Content-Type", kJson}, {"X-Amz-Target", "Nope"}}, "{}", true), 400, kJson,
                json_error("UnknownOperationException"));
}

// JSON text has no place for a NUL byte (inside a string it must be escaped), so content after
// a document, or a NUL anywhere in it, makes the body malformed as any other trailing content
// does: nothing after the NUL is ignored.
TEST_F(ConnectionTest, ContentAfterTheJsonDocumentIsASerializationException) {
  const std::string nul(1, '\0');
  const std::vector<std::string> bodies = {"{} garbage",
                                           "{}" + nul + "garbage",
                                           "{}" + nul,
                                           R"({"StreamName":"s","ShardCount":1})" + nul + "{",
                                           R"({"StreamName":"s)" + nul + R"(","ShardCount":1})",
                                           "{" + nul + "}"};
  for (const std::string& body : bodies) {
    SCOPED_TRACE(::testing::PrintToString(body));
    expect_answer(post({{"Content-Type", kJson}, {"X-Amz-Target", "Kinesis_20131202.CreateStream"}},
                       body, true),
                  400, kJson, json_error("SerializationException"));
  }
  // None of them created the stream.
  Answer list = ok("ListStreams", "{}");
  EXPECT_EQ(list.json["StreamNames"].Size(), 0u);
}

TEST_F(ConnectionTest, ApplicationJsonGetsTheCoralEnvelope) {
  const std::string unknown =
      R"({"Output":{"__type":"com.amazon.coral.service#UnknownOperationException",)"
      R"("message":null},"Version":"1.0"})";
  const std::string serialization =
      R"({"Output":{"__type":"com.amazon.coral.service#SerializationException",)"
      R"("Message":null},"Version":"1.0"})";
  const std::vector<std::pair<std::string, std::string>> headers = {
      {"Content-Type", "application/json"}, {"X-Amz-Target", "Kinesis_20131202.ListStreams"}};
  expect_answer(post(headers, "{}"), 200, "application/json", unknown);
  expect_answer(post(headers, "{}", true), 200, "application/json", unknown);
  expect_answer(post({{"Content-Type", "application/json"}}, "{}", true), 200, "application/json",
                unknown);
  expect_answer(post(headers, "hello"), 200, "application/json", serialization);
  expect_answer(post({{"Content-Type", "     application/json     ;"},
                      {"X-Amz-Target", "Kinesis_20131202.ListStreams"}},
                     "hello"),
                200, "application/json", serialization);
}

TEST_F(ConnectionTest, ContentTypeParametersAndSpacesDoNotCount) {
  expect_answer(post({{"Content-Type", "   application/x-amz-json-1.1   ;whatever"},
                      {"X-Amz-Target", "Kinesis_20131202.ListStreams"}},
                     "{}"),
                400, kJson,
                json_error("MissingAuthenticationTokenException", "Missing Authentication Token"));
  Raw ok = post({{"Content-Type", "application/x-amz-json-1.1; charset=utf-8"},
                 {"X-Amz-Target", "Kinesis_20131202.ListStreams"}},
                "{}", true);
  expect_answer(ok, 200, kJson,
                R"({"StreamNames":[],"HasMoreStreams":false,"StreamSummaries":[]})");
}

TEST_F(ConnectionTest, SignatureChecksInJson) {
  const std::vector<std::pair<std::string, std::string>> list = {
      {"Content-Type", kJson}, {"X-Amz-Target", "Kinesis_20131202.ListStreams"}};
  auto with = [&](std::vector<std::pair<std::string, std::string>> extra) {
    auto h = list;
    h.insert(h.end(), extra.begin(), extra.end());
    return h;
  };
  expect_answer(post(list, "{}"), 400, kJson,
                json_error("MissingAuthenticationTokenException", "Missing Authentication Token"));
  const std::string incomplete_x =
      "Authorization header requires 'Credential' parameter. Authorization header requires "
      "'Signature' parameter. Authorization header requires 'SignedHeaders' parameter. "
      "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. "
      "Authorization=X";
  expect_answer(post(with({{"Authorization", "X"}}), "{}"), 400, kJson,
                json_error("IncompleteSignatureException", incomplete_x));
  expect_answer(post(with({{"Authorization", "X"}}), "{}", false, "/?X-Amz-Algorith"), 400, kJson,
                json_error("IncompleteSignatureException", incomplete_x));
  expect_answer(post(list, "{}", false,
                     "/?X-Amz-Credential=a&X-Amz-Signature=b&X-Amz-SignedHeaders=c&X-Amz-Date=d"),
                400, kJson,
                json_error("MissingAuthenticationTokenException", "Missing Authentication Token"));
  expect_answer(post(with({{"Authorization", "X"}}), "{}", false, "/?X-Amz-Algorithm"), 400, kJson,
                json_error("InvalidSignatureException",
                           "Found both 'X-Amz-Algorithm' as a query-string param and "
                           "'Authorization' as HTTP header."));
  for (const char* auth : {"AWS4- Signature=b Credential=a", "AWS4- Signature=b,Credential=a",
                           "AWS4- Signature=b, Credential=a"}) {
    expect_answer(post(with({{"Authorization", auth}, {"Date", "a"}}), "{}"), 400, kJson,
                  json_error("IncompleteSignatureException",
                             std::string("Authorization header requires 'SignedHeaders' "
                                         "parameter. Authorization=") +
                                 auth));
  }
  expect_answer(post(list, "{}", false, "/?X-Amz-Algorithm"), 400, kJson,
                json_error("IncompleteSignatureException",
                           "AWS query-string parameters must include 'X-Amz-Algorithm'. AWS "
                           "query-string parameters must include 'X-Amz-Credential'. AWS "
                           "query-string parameters must include 'X-Amz-Signature'. AWS "
                           "query-string parameters must include 'X-Amz-SignedHeaders'. AWS "
                           "query-string parameters must include 'X-Amz-Date'. Re-examine the "
                           "query-string parameters."));
  expect_answer(
      post(list, "{}", false,
           "/?X-Amz-Algorithm=a&X-Amz-Credential=b&X-Amz-Signature=c&X-Amz-Date=d"),
      400, kJson,
      json_error("IncompleteSignatureException",
                 "AWS query-string parameters must include 'X-Amz-SignedHeaders'. Re-examine the "
                 "query-string parameters."));
  // Complete presigned parameters are enough in presence mode.
  Raw presigned = post(list, "{}", false,
                       "/?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=test%2F20260921%2F"
                       "us-east-1%2Fkinesis%2Faws4_request&X-Amz-Signature=00&X-Amz-SignedHeaders="
                       "host&X-Amz-Date=20260921T141320Z");
  EXPECT_EQ(presigned.status, 200) << presigned.body;
}

// ---------------------------------------------------------------------------------------------
// Bodies over the limit

// Sends `bytes` on a new connection and reads until the server closes it (it does after refusing
// an oversized body); "" on a timeout.
std::string exchange(uint16_t port, const std::string& bytes) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (fd < 0 || ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    if (fd >= 0) ::close(fd);
    return "";
  }
  std::string out;
  if (::send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(bytes.size())) {
    for (;;) {
      pollfd p{fd, POLLIN, 0};
      if (::poll(&p, 1, 5000) <= 0) {
        out.clear();
        break;
      }
      char buf[4096];
      const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
      if (n <= 0) break;
      out.append(buf, static_cast<size_t>(n));
    }
  }
  ::close(fd);
  return out;
}

// One HTTP/1.1 response as read off the wire.
Raw parse_response(const std::string& wire) {
  Raw r;
  const size_t end = wire.find("\r\n\r\n");
  if (wire.compare(0, 9, "HTTP/1.1 ") != 0 || end == std::string::npos) return r;
  r.status = std::stoi(wire.substr(9, 3));
  size_t at = wire.find("\r\n") + 2;
  while (at < end) {
    const size_t eol = wire.find("\r\n", at);
    const std::string line = wire.substr(at, eol - at);
    const size_t colon = line.find(':');
    std::string name = line.substr(0, colon);
    for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    r.headers[name] = line.substr(line.find_first_not_of(' ', colon + 1));
    at = eol + 2;
  }
  r.body = wire.substr(end + 4);
  return r;
}

// The head of a signed PutRecord whose body is announced by `framing` (a Content-Length or
// Transfer-Encoding line) and, when it is chunked, the first chunk's size line.
std::string oversized_head(const std::string& content_type, const std::string& framing,
                           const std::string& extra = "") {
  return "POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: " + content_type +
         "\r\nX-Amz-Target: Kinesis_20131202.PutRecord\r\n" + extra +
         "X-Amz-Date: " + kSigned[0].second + "\r\nAuthorization: " + kSigned[1].second + "\r\n" +
         framing + "\r\n\r\n";
}

const std::string kTooLargeMessage = "Request body is larger than the 16 MiB kinesim accepts.";
const std::string kOverLimit = std::to_string(16 * 1024 * 1024 + 1);

// The server stops reading at the limit and answers at once, in the request's format; the
// connection is closed after the answer, and nothing was stored.
TEST_F(ConnectionTest, AnOversizedBodyIsRefusedInTheRequestsFormat) {
  create("s");
  // (Kinesis spells SerializationException's message member "Message", in both formats.)
  const std::string json_body =
      R"({"__type":"SerializationException","Message":")" + kTooLargeMessage + R"("})";
  // Announced by Content-Length, or by the first chunk's size (0x1000001 bytes).
  for (const std::string& framing : {"Content-Length: " + kOverLimit,
                                     std::string("Transfer-Encoding: chunked\r\n\r\n1000001")}) {
    SCOPED_TRACE(framing);
    Raw json = parse_response(exchange(server_->port(), oversized_head(kJson, framing)));
    expect_answer(json, 413, kJson, json_body);
    EXPECT_TRUE(json.has("x-amz-id-2"));
    EXPECT_EQ(json.header("connection"), "close");

    Raw cbor = parse_response(exchange(server_->port(), oversized_head(kCbor, framing)));
    EXPECT_EQ(cbor.status, 413);
    EXPECT_EQ(cbor.header("content-type"), kCbor);
    EXPECT_EQ(cbor.header("content-length"), std::to_string(cbor.body.size()));
    cbor_test::CborItem item(cbor.body);
    ASSERT_TRUE(item.get()) << "not one CBOR item";
    EXPECT_EQ(cbor_test::member_names(item.get()), (std::vector<std::string>{"__type", "Message"}));
    EXPECT_EQ(cbor_test::text_of(cbor_test::member(item.get(), "__type")),
              "SerializationException");
    EXPECT_EQ(cbor_test::text_of(cbor_test::member(item.get(), "Message")), kTooLargeMessage);
  }

  // A request with an Origin gets the CORS headers every other answer to one carries.
  Raw cors = parse_response(exchange(
      server_->port(),
      oversized_head(kJson, "Content-Length: " + kOverLimit, "Origin: https://app.example\r\n")));
  expect_answer(cors, 413, kJson, json_body);
  EXPECT_EQ(cors.header("access-control-allow-origin"), "*");
  EXPECT_EQ(cors.header("access-control-expose-headers"), kExposed);

  // The server serves on, and nothing reached the stream.
  Answer it = ok("GetShardIterator", R"({"StreamName":"s","ShardId":"shardId-000000000000",)"
                                     R"("ShardIteratorType":"TRIM_HORIZON"})");
  Answer records =
      ok("GetRecords", R"({"ShardIterator":)" + q(it.json["ShardIterator"].GetString()) + "}");
  EXPECT_EQ(records.json["Records"].Size(), 0u);
}

// ---------------------------------------------------------------------------------------------
// --auth off

class AuthOffTest : public ConnectionTest {
 protected:
  AuthOffTest() : ConnectionTest([](Options& o) { o.auth = "off"; }) {}
};

TEST_F(AuthOffTest, UnsignedRequestsActInTheDefaultAccount) {
  Raw created = post({{"Content-Type", kJson}, {"X-Amz-Target", "Kinesis_20131202.CreateStream"}},
                     R"({"StreamName":"open","ShardCount":1})");
  EXPECT_EQ(created.status, 200) << created.body;
  Raw described =
      post({{"Content-Type", kJson}, {"X-Amz-Target", "Kinesis_20131202.DescribeStreamSummary"}},
           R"({"StreamName":"open"})");
  EXPECT_NE(described.body.find("arn:aws:kinesis:us-east-1:000000000000:stream/open"),
            std::string::npos)
      << described.body;
  // The order before the signature stays Kinesis'.
  expect_answer(post({}), 400, kCbor, kCborUnknown);
  expect_answer(request("GET", "/", {}, ""), 403, nullptr, kAccessDeniedXml);
}

// ---------------------------------------------------------------------------------------------
// --auth verify

constexpr const char* kAliceAccount = "111111111111";
constexpr const char* kBobAccount = "222222222222";
const SigningKey kAlice{"AKIDALICE", "alice/secret+key=", "us-east-1"};
const SigningKey kBob{"AKIDBOB", "bob-secret", "us-east-1"};

// A credentials file for the verify tests, written once per process.
const std::string& credentials_file() {
  static const std::string path = [] {
    char name[] = "/tmp/kinesim-credentials-XXXXXX";
    const int fd = mkstemp(name);
    EXPECT_GE(fd, 0);
    ::close(fd);
    std::ofstream out(name);
    out << "# test keys\n"
        << "AKIDALICE alice/secret+key= " << kAliceAccount << "\n"
        << "AKIDBOB   bob-secret        " << kBobAccount << "\n";
    return std::string(name);
  }();
  static const struct Remover {
    ~Remover() { std::remove(path.c_str()); }
  } remover;
  return path;
}

class VerifyTest : public ConnectionTest {
 protected:
  VerifyTest()
      : ConnectionTest([](Options& o) {
          o.auth = "verify";
          o.credentials = credentials_file();
        }) {}

  api::HttpRequest kinesis(const std::string& op, const std::string& body) {
    api::HttpRequest r;
    r.method = "POST";
    r.target = "/";
    r.headers = {{"host", "127.0.0.1:" + std::to_string(server_->port())},
                 {"content-type", kJson},
                 {"x-amz-target", "Kinesis_20131202." + op}};
    r.body = body;
    return r;
  }
  // Sends `r` as it is (the client adds Host and Content-Length itself).
  Raw send(const api::HttpRequest& r) {
    std::vector<harness::HttpHeader> h;
    for (const auto& header : r.headers) {
      if (header.name != "host") h.push_back({header.name, header.value});
    }
    return copy(client_->send(r.method, r.target, h, r.body));
  }
  Raw as(const SigningKey& key, const std::string& op, const std::string& body) {
    api::HttpRequest r = kinesis(op, body);
    testing::sign(r, key, clock_.now_ms());
    return send(r);
  }
};

TEST_F(VerifyTest, RightKeysSucceedAndEachAccountSeesOnlyItsStreams) {
  Raw created = as(kAlice, "CreateStream", R"({"StreamName":"orders","ShardCount":1})");
  ASSERT_EQ(created.status, 200) << created.body;
  Raw listed = as(kAlice, "ListStreams", "{}");
  EXPECT_NE(listed.body.find(R"("StreamNames":["orders"])"), std::string::npos) << listed.body;
  Raw summary = as(kAlice, "DescribeStreamSummary", R"({"StreamName":"orders"})");
  EXPECT_NE(summary.body.find("arn:aws:kinesis:us-east-1:111111111111:stream/orders"),
            std::string::npos)
      << summary.body;

  expect_answer(as(kBob, "ListStreams", "{}"), 200, kJson,
                R"({"StreamNames":[],"HasMoreStreams":false,"StreamSummaries":[]})");
  expect_answer(as(kBob, "DescribeStreamSummary", R"({"StreamName":"orders"})"), 400, kJson,
                json_error("ResourceNotFoundException",
                           "Stream orders under account 222222222222 not found."));
  // Not even with Alice's account id as the access key.
  SigningKey pretender{kAliceAccount, "anything"};
  expect_answer(as(pretender, "ListStreams", "{}"), 400, kJson,
                json_error("UnrecognizedClientException",
                           "The security token included in the request is invalid."));
  EXPECT_EQ(as(kBob, "CreateStream", R"({"StreamName":"orders","ShardCount":1})").status, 200);
}

TEST_F(VerifyTest, WrongSecretUnknownKeyAndUnsignedRequests) {
  SigningKey wrong = kAlice;
  wrong.secret = "guess";
  Raw r = as(wrong, "ListStreams", "{}");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.header("content-type"), kJson);
  EXPECT_NE(r.body.find(R"({"__type":"InvalidSignatureException","message":"The request )"
                        R"(signature we calculated does not match the signature you provided. )"
                        R"(Check your AWS Secret Access Key and signing method. Consult the )"
                        R"(service documentation for details.\n\nThe Canonical String for this )"
                        R"(request should have been\n'POST\n/\n\ncontent-type:)"),
            std::string::npos)
      << r.body;

  expect_answer(as(SigningKey{"AKIDNOBODY", "x"}, "ListStreams", "{}"), 400, kJson,
                json_error("UnrecognizedClientException",
                           "The security token included in the request is invalid."));
  expect_answer(
      post({{"Content-Type", kJson}, {"X-Amz-Target", "Kinesis_20131202.ListStreams"}}, "{}"), 400,
      kJson, json_error("MissingAuthenticationTokenException", "Missing Authentication Token"));
  // The harness client's placeholder signature is refused too.
  Raw placeholder = copy(client_->call("ListStreams", "{}"));
  EXPECT_EQ(placeholder.status, 400);
}

TEST_F(VerifyTest, ClockSkewOnTheServersClock) {
  api::HttpRequest r = kinesis("ListStreams", "{}");
  testing::sign(r, kAlice, clock_.now_ms());
  EXPECT_EQ(send(r).status, 200);
  clock_.advance_ms(5 * 60 * 1000 + 1000);
  Raw stale = send(r);
  EXPECT_EQ(stale.status, 400);
  EXPECT_NE(stale.body.find(R"({"__type":"InvalidSignatureException","message":"Signature )"
                            R"(expired: )"),
            std::string::npos)
      << stale.body;
}

TEST_F(VerifyTest, PresignedRequests) {
  api::HttpRequest r = kinesis("ListStreams", "{}");
  testing::presign(r, kBob, clock_.now_ms(), 60);
  EXPECT_EQ(send(r).status, 200) << send(r).body;
  api::HttpRequest tampered = r;
  tampered.headers[2].value = "Kinesis_20131202.DescribeLimits";
  EXPECT_NE(send(tampered).body.find("InvalidSignatureException"), std::string::npos);
  clock_.advance_ms(61 * 1000);
  EXPECT_NE(send(r).body.find("Signature expired"), std::string::npos);
}

TEST_F(VerifyTest, XmlRefusalsAlsoCheckTheSignature) {
  api::HttpRequest get = kinesis("ListStreams", "");
  get.method = "GET";
  testing::sign(get, kAlice, clock_.now_ms());
  expect_answer(send(get), 404, nullptr, "<UnknownOperationException/>\n");
  api::HttpRequest unknown = kinesis("ListStreams", "");
  unknown.method = "GET";
  testing::sign(unknown, SigningKey{"AKIDNOBODY", "x"}, clock_.now_ms());
  expect_answer(send(unknown), 403, nullptr,
                "<UnrecognizedClientException>\n  <Message>The security token included in the "
                "request is invalid.</Message>\n</UnrecognizedClientException>\n");
}

TEST_F(VerifyTest, MalformedSignaturesAreRefusedAndChangeNothing) {
  const std::string good_scope = "AKIDALICE/20260921/us-east-1/kinesis/aws4_request";
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"/", "AWS4-HMAC-SHA256 Credential=" + good_scope + ", SignedHeaders=, Signature=00"},
      {"/", "AWS4-HMAC-SHA256 Credential=" + good_scope + ", SignedHeaders=;;;, Signature=00"},
      {"/", "AWS4-HMAC-SHA256 Credential=////, SignedHeaders=host, Signature=00"},
      {"/", "AWS4-HMAC-SHA256 Credential=a/b/c/d/e/f/g, SignedHeaders=host, Signature=00"},
      {"/", "AWS4-HMAC-SHA256 Credential=" + good_scope + ", SignedHeaders=host, Signature="},
      {"/", "AWS4-HMAC-SHA256    ,,, Credential=" + good_scope + ",SignedHeaders=host,Signature=z"},
      {"/%", "AWS4-HMAC-SHA256 Credential=" + good_scope + ", SignedHeaders=host, Signature=00"},
      {"/..%2F..%2F/./",
       "AWS4-HMAC-SHA256 Credential=" + good_scope + ", SignedHeaders=host, Signature=00"},
      {"/?&&=&=%&%zz=%00",
       "AWS4-HMAC-SHA256 Credential=" + good_scope + ", SignedHeaders=host, Signature=00"},
  };
  for (const auto& [path, auth] : cases) {
    SCOPED_TRACE(path + " " + auth);
    Raw r = post({{"Content-Type", kJson},
                  {"X-Amz-Target", "Kinesis_20131202.CreateStream"},
                  {"X-Amz-Date", "20260921T141320Z"},
                  {"Authorization", auth}},
                 R"({"StreamName":"never","ShardCount":1})", false, path);
    EXPECT_EQ(r.status, 400) << r.body;
    EXPECT_NE(r.body.find("Signature"), std::string::npos) << r.body;
  }
  for (const char* query :
       {"/?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=%2F%2F%2F%2F&X-Amz-Signature=0&"
        "X-Amz-SignedHeaders=host&X-Amz-Date=20260921T141320Z",
        "/?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIDALICE%2F20260921%2Fus-east-1%2F"
        "kinesis%2Faws4_request&X-Amz-Signature=0&X-Amz-SignedHeaders=host&X-Amz-Date="
        "20260921T141320Z&X-Amz-Expires=99999999999999999999",
        "/?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIDALICE%2F20260921%2Fus-east-1%2F"
        "kinesis%2Faws4_request&X-Amz-Signature=0&X-Amz-SignedHeaders=host&X-Amz-Date=99999999T"
        "999999Z"}) {
    SCOPED_TRACE(query);
    Raw r = post({{"Content-Type", kJson}, {"X-Amz-Target", "Kinesis_20131202.CreateStream"}},
                 R"({"StreamName":"never","ShardCount":1})", false, query);
    EXPECT_EQ(r.status, 400) << r.body;
  }
  Raw listed = as(kAlice, "ListStreams", "{}");
  EXPECT_NE(listed.body.find(R"("StreamNames":[])"), std::string::npos) << listed.body;
}

}  // namespace
}  // namespace kinesim::testing
