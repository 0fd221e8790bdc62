// Every pattern of the real Kinesis service model, checked by the hand-written byte matcher and
// by RE2 on the same generated values: the two must give the same verdict on each.
#include <gtest/gtest.h>

#include <cstddef>
#include <cstdint>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "api/model.h"

namespace kinesim::api::model {
namespace {

// Values close to what the model's patterns accept, so mutations land on both sides.
std::vector<std::string> Seeds() {
  std::vector<std::string> seeds = {
      "",
      "s",
      "my-stream_1.0",
      "shardId-000000000000",
      "0",
      "1",
      "10",
      "01",
      "340282366920938463463374607431768211455",
      "abcdefghij0123456789-abc",
      "arn:aws:kinesis:us-east-1:123456789012:stream/s",
      "arn:aws-cn:kinesis:cn-north-1:123456789012:stream/my-stream",
      "arn:aws-us-gov:kinesis:us-gov-west-1:123456789012:stream/a.b_c-d",
      "arn:aws:kinesis:us-east-1:123456789012:stream/s/consumer/c:1700000000",
      "arn:aws:kinesis:us-east-1:123456789012:stream/s/consumer/c.1-x_y:1",
      "arn:aws:kinesis::123456789012:stream/s",
      "arn:aws:kinesis:us-east-1:123456789012:resource/stream/s",
  };
  for (std::size_t n : {37u, 38u, 39u, 40u, 127u, 128u, 129u, 130u}) {
    std::string digits(n, '7');
    digits[0] = '1';
    seeds.push_back(digits);
  }
  return seeds;
}

// Bytes the patterns treat specially: line terminators, whitespace Java and RE2 disagree on,
// punctuation the ARNs use, regex metacharacters, and bytes of non-ASCII UTF-8 and Latin-1.
const std::vector<char> kInteresting = {
    '\0',   '\t',   '\n',   '\v',   '\f',   '\r',   ' ',    '!',    '-',    '.',   '/',
    ':',    '_',    '0',    '1',    '9',    'a',    'z',    'A',    'Z',    '^',   '$',
    '\\',   '[',    ']',    '(',    ')',    '*',    '+',    '?',    '|',    '{',   '}',
    '\x7F', '\x80', '\x85', '\xA0', '\xBF', '\xC3', '\xA9', '\xE2', '\xF0', '\xFF'};

std::vector<std::string> Inputs() {
  std::vector<std::string> seeds = Seeds();
  std::vector<std::string> inputs = seeds;
  for (int c = 0; c < 256; ++c) {
    const char b = static_cast<char>(c);
    inputs.push_back(std::string(1, b));
    inputs.push_back(std::string{'1', b});
    inputs.push_back(std::string{'a', b});
    inputs.push_back(std::string{b, 'a'});
  }
  // Every seed with one byte deleted, replaced or inserted, at every position.
  for (const std::string& seed : seeds) {
    for (std::size_t i = 0; i <= seed.size(); ++i) {
      if (i < seed.size()) inputs.push_back(std::string(seed).erase(i, 1));
      for (char b : kInteresting) {
        if (i < seed.size()) {
          std::string replaced = seed;
          replaced[i] = b;
          inputs.push_back(replaced);
        }
        inputs.push_back(std::string(seed).insert(i, 1, b));
      }
    }
  }
  // Random values: splices of seed pieces (near-valid ARNs and numbers) and random bytes.
  std::mt19937 rng(20131202);
  auto below = [&rng](std::size_t n) {
    return std::uniform_int_distribution<std::size_t>(0, n - 1)(rng);
  };
  for (int k = 0; k < 20000; ++k) {
    std::string value;
    const std::size_t pieces = 1 + below(4);
    for (std::size_t p = 0; p < pieces; ++p) {
      const std::string& seed = seeds[below(seeds.size())];
      if (seed.empty()) continue;
      const std::size_t start = below(seed.size());
      value += seed.substr(start, 1 + below(seed.size() - start));
      if (below(3) == 0) value += kInteresting[below(kInteresting.size())];
    }
    inputs.push_back(value);
    std::string noise;
    const std::size_t length = below(40);
    for (std::size_t i = 0; i < length; ++i) {
      noise += below(2) ? kInteresting[below(kInteresting.size())] : static_cast<char>(below(256));
    }
    inputs.push_back(noise);
  }
  return inputs;
}

struct Tally {
  std::size_t accepted = 0;
  std::size_t refused = 0;
  std::size_t disagreements = 0;
};

Tally Compare(const Pattern& pattern, const std::vector<std::string>& inputs) {
  Tally tally;
  for (const std::string& value : inputs) {
    const bool old_verdict = pattern.matches(value);
    const bool re2_verdict = pattern.matches_re2(value);
    (old_verdict ? tally.accepted : tally.refused)++;
    if (old_verdict != re2_verdict) {
      if (++tally.disagreements <= 5) {
        ADD_FAILURE() << pattern.source() << " on \"" << value << "\" (" << value.size()
                      << " bytes): matcher " << old_verdict << ", RE2 " << re2_verdict;
      }
    }
  }
  return tally;
}

TEST(ApiPatternRe2, EveryModelPatternAgreesWithTheMatcher) {
  const std::vector<std::string> inputs = Inputs();
  std::size_t patterns = 0;
  for (const auto& [name, shape] : service_model().shapes) {
    if (!shape->pattern) continue;
    ++patterns;
    ASSERT_TRUE(shape->pattern->has_re2()) << name << ": " << shape->pattern->source();
    Tally tally = Compare(*shape->pattern, inputs);
    EXPECT_EQ(tally.disagreements, 0u) << name;
    // The inputs reach both verdicts, so agreement means something.
    EXPECT_GT(tally.accepted, 50u) << name;
    EXPECT_GT(tally.refused, 50u) << name;
    std::printf("%-14s %-80s accepted %zu refused %zu disagreements %zu\n", name.c_str(),
                shape->pattern->source().c_str(), tally.accepted, tally.refused,
                tally.disagreements);
  }
  EXPECT_EQ(patterns, 9u);
  std::printf("%zu inputs per pattern\n", inputs.size());
}

// Constructs outside the model whose meaning the RE2 translation rewrites (`.`, `\s`, `\S`) or
// passes through.
TEST(ApiPatternRe2, TranslatedConstructsAgreeWithTheMatcher) {
  const std::vector<std::string> inputs = Inputs();
  for (std::string_view source :
       {".*", "a.b", "\\S+", "\\s*x", "[\\sa]+", "[^\\s]+", "[^,]{1,3}|x*?", "(?:ab|a)*b$",
        "^\\W\\D\\w?", "[]a-]+", "[^]a]*", "(a|b|)+c{2,}", "\\.\\-\\/", "[\\d\\.]{2,4}"}) {
    auto pattern = Pattern::compile(source);
    ASSERT_TRUE(pattern) << source;
    ASSERT_TRUE(pattern->has_re2()) << source;
    Tally tally = Compare(*pattern, inputs);
    EXPECT_EQ(tally.disagreements, 0u) << source;
  }
}

}  // namespace
}  // namespace kinesim::api::model
