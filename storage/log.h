// kinesim's log: one line per event on stderr, as text or JSON, below a level set at start-up.
//
//   text: 2026-11-30T09:30:00.123Z ERROR storage: commit failed error="database or disk is full"
//   json: {"time":"2026-11-30T09:30:00.123Z","level":"error","component":"storage",
//          "msg":"commit failed","error":"database or disk is full"}
//
// Every layer logs through here; a line is written whole (one write under a lock), so lines from
// different threads never interleave.
#pragma once

#include <atomic>
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>

namespace kinesim::log {

enum class Level { kError = 0, kWarn = 1, kInfo = 2, kDebug = 3 };
enum class Format { kText, kJson };

std::optional<Level> parse_level(std::string_view name);    // error, warn, info, debug
std::optional<Format> parse_format(std::string_view name);  // text, json
std::string_view level_name(Level level);

// A key and its value; numbers are written bare in JSON.
struct Field {
  Field(std::string_view k, std::string_view v) : key(k), text(v) {}
  Field(std::string_view k, const std::string& v) : key(k), text(v) {}
  Field(std::string_view k, const char* v) : key(k), text(v) {}
  Field(std::string_view k, int64_t v) : key(k), number(v), is_number(true) {}
  Field(std::string_view k, int v) : key(k), number(v), is_number(true) {}
  Field(std::string_view k, uint64_t v)
      : key(k), number(static_cast<int64_t>(v)), is_number(true) {}
  Field(std::string_view k, double v) : key(k), real(v), is_real(true) {}

  std::string_view key;
  std::string_view text;
  int64_t number = 0;
  double real = 0;
  bool is_number = false;
  bool is_real = false;
};

// Process-wide settings; info and text until configured.
void configure(Level level, Format format);
Level level();
Format format();

namespace detail {
extern std::atomic<int> threshold;
}

inline bool enabled(Level level) {
  return static_cast<int>(level) <= detail::threshold.load(std::memory_order_relaxed);
}

// The line as written (without the newline), for tests.
std::string format_line(Format format, int64_t now_ms, Level level, std::string_view component,
                        std::string_view message, std::initializer_list<Field> fields);

void write(Level level, std::string_view component, std::string_view message,
           std::initializer_list<Field> fields = {});

inline void error(std::string_view component, std::string_view message,
                  std::initializer_list<Field> fields = {}) {
  write(Level::kError, component, message, fields);
}
inline void warn(std::string_view component, std::string_view message,
                 std::initializer_list<Field> fields = {}) {
  if (enabled(Level::kWarn)) write(Level::kWarn, component, message, fields);
}
inline void info(std::string_view component, std::string_view message,
                 std::initializer_list<Field> fields = {}) {
  if (enabled(Level::kInfo)) write(Level::kInfo, component, message, fields);
}
inline void debug(std::string_view component, std::string_view message,
                  std::initializer_list<Field> fields = {}) {
  if (enabled(Level::kDebug)) write(Level::kDebug, component, message, fields);
}

}  // namespace kinesim::log
