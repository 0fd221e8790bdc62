#include "storage/log.h"

#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <ctime>
#include <mutex>

namespace kinesim::log {
namespace detail {
std::atomic<int> threshold{static_cast<int>(Level::kInfo)};
}

namespace {

std::atomic<int> current_format{static_cast<int>(Format::kText)};
std::mutex write_mutex;

void append_time(std::string& out, int64_t now_ms) {
  const std::time_t seconds = static_cast<std::time_t>(now_ms / 1000);
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char buf[40];
  const size_t n = std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &utc);
  out.append(buf, n);
  std::snprintf(buf, sizeof buf, ".%03dZ", static_cast<int>(now_ms % 1000));
  out += buf;
}

void append_json_string(std::string& out, std::string_view s) {
  out += '"';
  for (const unsigned char c : s) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (c < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", c);
          out += buf;
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  out += '"';
}

// Text values are quoted when they hold a space, a quote or an equals sign, so a line stays
// splittable into key=value pairs.
void append_text_value(std::string& out, std::string_view s) {
  const bool quote = s.empty() || s.find_first_of(" \"=\t\n") != std::string_view::npos;
  if (quote) return append_json_string(out, s);
  out += s;
}

void append_number(std::string& out, const Field& f) {
  char buf[32];
  if (f.is_real) {
    std::snprintf(buf, sizeof buf, "%.3f", f.real);
  } else {
    std::snprintf(buf, sizeof buf, "%lld", static_cast<long long>(f.number));
  }
  out += buf;
}

constexpr std::string_view kUpperNames[] = {"ERROR", "WARN", "INFO", "DEBUG"};
constexpr std::string_view kNames[] = {"error", "warn", "info", "debug"};

}  // namespace

std::optional<Level> parse_level(std::string_view name) {
  for (int i = 0; i < 4; ++i) {
    if (kNames[i] == name) return static_cast<Level>(i);
  }
  return std::nullopt;
}

std::optional<Format> parse_format(std::string_view name) {
  if (name == "text") return Format::kText;
  if (name == "json") return Format::kJson;
  return std::nullopt;
}

std::string_view level_name(Level level) { return kNames[static_cast<int>(level)]; }

void configure(Level level, Format format) {
  detail::threshold.store(static_cast<int>(level), std::memory_order_relaxed);
  current_format.store(static_cast<int>(format), std::memory_order_relaxed);
}

Level level() { return static_cast<Level>(detail::threshold.load(std::memory_order_relaxed)); }
Format format() { return static_cast<Format>(current_format.load(std::memory_order_relaxed)); }

std::string format_line(Format format, int64_t now_ms, Level level, std::string_view component,
                        std::string_view message, std::initializer_list<Field> fields) {
  std::string out;
  out.reserve(96 + message.size());
  if (format == Format::kJson) {
    out += "{\"time\":\"";
    append_time(out, now_ms);
    out += "\",\"level\":\"";
    out += kNames[static_cast<int>(level)];
    out += "\",\"component\":";
    append_json_string(out, component);
    out += ",\"msg\":";
    append_json_string(out, message);
    for (const Field& f : fields) {
      out += ',';
      append_json_string(out, f.key);
      out += ':';
      if (f.is_number || f.is_real) {
        append_number(out, f);
      } else {
        append_json_string(out, f.text);
      }
    }
    out += '}';
    return out;
  }
  append_time(out, now_ms);
  out += ' ';
  out += kUpperNames[static_cast<int>(level)];
  out += ' ';
  out += component;
  out += ": ";
  out += message;
  for (const Field& f : fields) {
    out += ' ';
    out += f.key;
    out += '=';
    if (f.is_number || f.is_real) {
      append_number(out, f);
    } else {
      append_text_value(out, f.text);
    }
  }
  return out;
}

void write(Level level, std::string_view component, std::string_view message,
           std::initializer_list<Field> fields) {
  if (!enabled(level)) return;
  const int64_t now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                             std::chrono::system_clock::now().time_since_epoch())
                             .count();
  std::string line = format_line(format(), now_ms, level, component, message, fields);
  line += '\n';
  std::lock_guard lock(write_mutex);
  // One write per line; a short write (a full pipe) finishes the line rather than splitting it.
  const char* p = line.data();
  size_t left = line.size();
  while (left > 0) {
    const ssize_t n = ::write(STDERR_FILENO, p, left);
    if (n <= 0) return;  // stderr closed: nothing useful left to do
    p += n;
    left -= static_cast<size_t>(n);
  }
}

}  // namespace kinesim::log
