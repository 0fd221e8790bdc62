#include <gtest/gtest.h>

#include "storage/log.h"

namespace kinesim::log {
namespace {

constexpr int64_t kNoon = 4102488000123;  // 2100-01-01T12:00:00.123Z

TEST(Log, TextLinesAreKeyValuePairsQuotedWhereNeeded) {
  EXPECT_EQ(format_line(Format::kText, kNoon, Level::kError, "storage", "commit failed",
                        {{"error", "database or disk is full"}, {"jobs", 3}}),
            "2100-01-01T12:00:00.123Z ERROR storage: commit failed "
            "error=\"database or disk is full\" jobs=3");
  EXPECT_EQ(format_line(Format::kText, kNoon, Level::kDebug, "http", "request",
                        {{"op", "PutRecord"}, {"status", 200}, {"ms", 1.5}, {"empty", ""}}),
            "2100-01-01T12:00:00.123Z DEBUG http: request op=PutRecord status=200 ms=1.500 "
            "empty=\"\"");
}

TEST(Log, JsonLinesEscapeStringsAndWriteNumbersBare) {
  EXPECT_EQ(format_line(Format::kJson, kNoon, Level::kWarn, "init", "say \"hi\"\n",
                        {{"stream", "a\\b"}, {"shards", 4}, {"ctl", std::string_view("\x01", 1)}}),
            "{\"time\":\"2100-01-01T12:00:00.123Z\",\"level\":\"warn\",\"component\":\"init\","
            "\"msg\":\"say \\\"hi\\\"\\n\",\"stream\":\"a\\\\b\",\"shards\":4,"
            "\"ctl\":\"\\u0001\"}");
}

TEST(Log, LevelsFilterAndParse) {
  EXPECT_EQ(parse_level("debug"), Level::kDebug);
  EXPECT_EQ(parse_level("error"), Level::kError);
  EXPECT_EQ(parse_level("DEBUG"), std::nullopt);
  EXPECT_EQ(parse_format("json"), Format::kJson);
  EXPECT_EQ(parse_format("xml"), std::nullopt);
  const Level before_level = level();
  const Format before_format = format();
  configure(Level::kWarn, Format::kJson);
  EXPECT_TRUE(enabled(Level::kError));
  EXPECT_TRUE(enabled(Level::kWarn));
  EXPECT_FALSE(enabled(Level::kInfo));
  EXPECT_FALSE(enabled(Level::kDebug));
  EXPECT_EQ(format(), Format::kJson);
  configure(before_level, before_format);
}

}  // namespace
}  // namespace kinesim::log
