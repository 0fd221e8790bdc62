#include <gtest/gtest.h>

#include "api/base64.h"
#include "api/codec.h"
#include "api/page_token.h"
#include "api/protocol.h"
#include "api/sealed.h"
#include "api/shard_iterator.h"

namespace kinesim::api {
namespace {

TEST(Base64, RoundTripsAllLengths) {
  std::string bytes;
  for (int n = 0; n < 70; ++n) {
    std::string enc;
    base64_encode(bytes, enc);
    EXPECT_EQ(enc.size(), base64_encoded_size(bytes.size()));
    auto dec = base64_decode(enc);
    ASSERT_TRUE(dec) << n;
    EXPECT_EQ(*dec, bytes);
    EXPECT_EQ(base64_decoded_size(enc), bytes.size());
    bytes.push_back(static_cast<char>(n * 37 + 11));
  }
  std::string out;
  base64_encode("hello", out);
  EXPECT_EQ(out, "aGVsbG8=");
}

TEST(Base64, RejectsInvalidText) {
  for (const char* bad : {"a", "ab", "abc", "a===", "ab=c", "ab c", "abc\n", "****", "AAA=AAAA"}) {
    EXPECT_FALSE(base64_decode(bad)) << bad;
  }
  EXPECT_TRUE(base64_decode(""));
}

TEST(Base64, NamesProblemsInKinesisOrder) {
  using Kind = Base64Problem::Kind;
  EXPECT_EQ(base64_problem("abc").kind, Kind::kLength);
  EXPECT_EQ(base64_problem("a*c=").kind, Kind::kCharacter);
  EXPECT_EQ(base64_problem("a*c=").bad, '*');
  EXPECT_EQ(base64_problem("ab=c").bad, '=');
  EXPECT_EQ(base64_problem("AB==").kind, Kind::kLastCharacter);  // 'B' leaves a stray bit
  EXPECT_EQ(base64_problem("AQ==").kind, Kind::kNone);
  EXPECT_EQ(base64_problem("a===").kind, Kind::kLastCharacter);
  EXPECT_FALSE(base64_decode("AB=="));
  EXPECT_EQ(base64_decode("AQ=="), std::string("\x01", 1));
}

TEST(JsonOutput, EscapesOnlyWhatJsonNeeds) {
  JsonOutput out;
  out.begin_object();
  out.field("plain", "shardId-000000000001");
  out.field("quoted", "a\"b\\c\nd");
  out.field("utf8", "k\xc3\xa9y");
  out.key("data");
  out.blob(std::string("\x00\xff", 2));
  out.key("t1");
  out.timestamp_ms(1732701967123);
  out.key("t2");
  out.timestamp_ms(1732701967000);
  out.key("t3");
  out.timestamp_ms(1732701967005);
  out.key("list");
  out.begin_array();
  out.string("x");
  out.integer(-5);
  out.boolean(true);
  out.null();
  out.end_array();
  out.end_object();
  EXPECT_EQ(out.take(),
            R"({"plain":"shardId-000000000001","quoted":"a\"b\\c\nd","utf8":"k)"
            "\xc3\xa9"
            R"(y","data":"AP8=","t1":1732701967.123,"t2":1732701967,"t3":1732701967.005,)"
            R"("list":["x",-5,true,null]})");
}

TEST(ErrorJson, OmitsAnEmptyMessage) {
  EXPECT_EQ(error_json(errors::make("UnknownOperationException", "")),
            R"({"__type":"UnknownOperationException"})");
  EXPECT_EQ(
      error_json(errors::resource_not_found("Stream s under account 1 not found.")),
      R"({"__type":"ResourceNotFoundException","message":"Stream s under account 1 not found."})");
}

// The api says which answer goes without x-amz-id-2 (the server adds it to the rest): the CORS
// preflight's, and no other, whatever headers an answer carries.
TEST(Protocol, OnlyThePreflightAnswerGoesWithoutAmzId2) {
  HttpRequest preflight;
  preflight.method = "OPTIONS";
  preflight.headers = {{"origin", "https://app.example"}};
  ASSERT_TRUE(is_cors_preflight(preflight));
  EXPECT_FALSE(cors_preflight(preflight).amz_id_2);

  HttpResponse other = json_error(errors::serialization(""));
  other.headers.push_back({"access-control-max-age", "172800"});
  EXPECT_TRUE(other.amz_id_2);
  add_cors_headers(other);
  EXPECT_TRUE(other.amz_id_2);
  EXPECT_TRUE(HttpResponse().amz_id_2);
}

TEST(Sealer, OpensOnlyItsOwnTokens) {
  const std::string secret(32, 'k');
  Sealer a(secret), b(std::string(32, 'z'));
  const std::string token = a.seal("payload");
  EXPECT_EQ(a.open(token), "payload");
  EXPECT_FALSE(b.open(token));
  EXPECT_NE(a.seal("payload"), token);  // a fresh nonce every time
  for (size_t i = 0; i + 4 < token.size(); i += 7) {
    std::string t = token;
    t[i] = t[i] == 'A' ? 'B' : 'A';
    EXPECT_FALSE(a.open(t)) << i;
  }
  EXPECT_FALSE(a.open(""));
  EXPECT_FALSE(a.open("not base64 at all"));
}

TEST(ShardIterator, RoundTripsAndFitsTheModelLimit) {
  Sealer sealer(std::string(32, 's'));
  ShardIterator it;
  it.issued_ms = 1790000000123;
  it.stream_id = 42;
  it.shard_gid = 7;
  it.shard_index = 3;
  it.after_counter = 99;
  it.account = "000000000000";
  it.region = "ap-southeast-2";
  it.stream_name = std::string(128, 'n');  // the longest stream name
  const std::string token = it.seal(sealer);
  EXPECT_LE(token.size(), 512u);  // ShardIterator max length in the model
  auto back = ShardIterator::open(sealer, token);
  ASSERT_TRUE(back);
  EXPECT_EQ(back->issued_ms, it.issued_ms);
  EXPECT_EQ(back->after_counter, 99u);
  EXPECT_EQ(back->shard_index, 3);
  EXPECT_EQ(back->stream_name, it.stream_name);
  EXPECT_EQ(back->region, "ap-southeast-2");
}

TEST(PageToken, KindsDoNotMix) {
  Sealer sealer(std::string(32, 's'));
  PageToken t{'S', 5, {"a", "b"}};
  const std::string token = t.seal(sealer);
  auto back = PageToken::open(sealer, token, 'S');
  ASSERT_TRUE(back);
  EXPECT_EQ(back->issued_ms, 5);
  EXPECT_EQ(back->fields, (std::vector<std::string>{"a", "b"}));
  EXPECT_FALSE(PageToken::open(sealer, token, 'H'));
}

}  // namespace
}  // namespace kinesim::api
