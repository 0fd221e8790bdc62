// Fuzzes the small parsers of values a client hands back to kinesim: shard iterators and
// NextTokens (opened as they come, and with the input sealed first so the fuzzer also reaches the
// layout inside the seal), sequence numbers, shard ids, stream and consumer ARNs, and base64.
// Every input goes to every parser.
//
// Beyond what the sanitizers catch, each parser must agree with its writer: whatever parses,
// written out again and parsed back, gives the same value (and base64 that decodes is exactly
// the encoding of what it decodes to).

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <string>
#include <string_view>

#include "api/base64.h"
#include "api/page_token.h"
#include "api/sealed.h"
#include "api/shard_iterator.h"
#include "api/streams.h"
#include "storage/sequence_number.h"
#include "tests/fuzz/fixtures.h"

namespace {

using kinesim::fuzz::die;
namespace api = kinesim::api;

void check(bool ok, const char* what) {
  if (!ok) die(std::string("parser and writer disagree: ") + what);
}

const api::Sealer& sealer() {
  static const api::Sealer s(kinesim::fuzz::kTokenSecret);
  return s;
}

bool same(const api::ShardIterator& a, const api::ShardIterator& b) {
  return a.issued_ms == b.issued_ms && a.stream_id == b.stream_id && a.shard_gid == b.shard_gid &&
         a.shard_index == b.shard_index && a.after_counter == b.after_counter &&
         a.account == b.account && a.region == b.region && a.stream_name == b.stream_name;
}

void check_iterator(const std::optional<api::ShardIterator>& it) {
  if (!it) return;
  auto again = api::ShardIterator::open(sealer(), it->seal(sealer()));
  check(again && same(*it, *again), "shard iterator");
}

void check_page_token(const std::optional<api::PageToken>& t) {
  if (!t) return;
  auto again = api::PageToken::open(sealer(), t->seal(sealer()), t->kind);
  check(again && again->issued_ms == t->issued_ms && again->fields == t->fields, "page token");
}

void tokens(std::string_view text) {
  // As a client would send them: base64 of a sealed value.
  check_iterator(api::ShardIterator::open(sealer(), text));
  for (char kind : {'H', 'C', 'S'}) check_page_token(api::PageToken::open(sealer(), text, kind));
  // The input as the plain text inside a seal, as only kinesim can make it.
  const std::string sealed = sealer().seal(text);
  check(sealer().open(sealed) == std::string(text), "sealer");
  check_iterator(api::ShardIterator::open(sealer(), sealed));
  if (!text.empty()) check_page_token(api::PageToken::open(sealer(), sealed, text[0]));
}

void sequence_numbers(std::string_view text) {
  if (auto d = kinesim::decode_sequence_number(text); d && d->version == 2 && d->counter_in_range) {
    // Written again from its fields, a version 2 number decodes to the same fields.
    kinesim::SequenceNumber n;
    n.format.shard_created_s = d->shard_created_s;
    n.shard_index = static_cast<uint32_t>(d->shard_index);
    n.counter = d->counter;
    n.arrival_s = d->arrival_s;
    auto again = kinesim::decode_sequence_number(n.str());
    check(again && again->version == 2 && again->shard_created_s == d->shard_created_s &&
              again->shard_index == d->shard_index && again->counter == d->counter &&
              again->arrival_s == d->arrival_s,
          "sequence number");
  }
  if (auto n = kinesim::parse_legacy_sequence_number(text)) {
    check(n->str() == text, "legacy sequence number");
  }
}

void names(std::string_view text) {
  if (auto index = api::parse_shard_id(text)) {
    check(api::parse_shard_id(api::shard_id(*index)) == index, "shard id");
  }
  if (auto key = api::parse_stream_arn(text)) {
    auto again = api::parse_stream_arn(api::stream_arn(*key));
    check(again && again->account == key->account && again->region == key->region &&
              again->name == key->name,
          "stream ARN");
  }
  if (auto arn = api::parse_consumer_arn(text);
      arn && arn->created_s <= std::numeric_limits<int64_t>::max() / 1000) {
    auto again = api::parse_consumer_arn(
        api::consumer_arn(arn->stream, arn->consumer, arn->created_s * 1000));
    check(again && again->stream.account == arn->stream.account &&
              again->stream.region == arn->stream.region &&
              again->stream.name == arn->stream.name && again->consumer == arn->consumer &&
              again->created_s == arn->created_s,
          "consumer ARN");
  }
}

void base64(std::string_view text) {
  const auto problem = api::base64_problem(text);
  const auto decoded = api::base64_decode(text);
  const auto size = api::base64_decoded_size(text);
  check(decoded.has_value() == (problem.kind == api::Base64Problem::Kind::kNone), "base64 problem");
  check(decoded.has_value() == size.has_value(), "base64 size");
  if (decoded) {
    check(*size == decoded->size(), "base64 size");
    std::string encoded;
    api::base64_encode(*decoded, encoded);
    check(encoded == text, "base64 re-encoding");
  }
  std::string encoded;
  api::base64_encode(text, encoded);
  check(encoded.size() == api::base64_encoded_size(text.size()), "base64 encoded size");
  check(api::base64_decode(encoded) == std::string(text), "base64 round trip");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  tokens(text);
  sequence_numbers(text);
  names(text);
  base64(text);
  return 0;
}
