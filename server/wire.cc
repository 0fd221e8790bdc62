#include "server/wire.h"

#include <cstdio>
#include <random>

#include "api/base64.h"
#include "api/protocol.h"

namespace kinesim::wire {
namespace {

std::mt19937_64& rng() {
  thread_local std::mt19937_64 r{std::random_device{}()};
  return r;
}

}  // namespace

std::string request_id() {
  const uint64_t a = rng()(), b = rng()();
  char buf[40];
  std::snprintf(buf, sizeof buf, "%08x-%04x-4%03x-%04x-%012llx", static_cast<unsigned>(a >> 32),
                static_cast<unsigned>((a >> 16) & 0xffff), static_cast<unsigned>(a & 0xfff),
                static_cast<unsigned>(((b >> 48) & 0x3fff) | 0x8000),
                static_cast<unsigned long long>(b & 0xffffffffffffULL));
  return buf;
}

std::string amz_id_2() {
  // 72 random bytes: 96 base64 characters, the length AWS sends.
  char raw[72];
  for (size_t i = 0; i < sizeof raw; i += 8) {
    const uint64_t v = rng()();
    for (size_t j = 0; j < 8; ++j) raw[i + j] = static_cast<char>(v >> (8 * j));
  }
  std::string out;
  api::base64_encode(std::string_view(raw, sizeof raw), out);
  return out;
}

api::HttpResponse body_too_large(const api::HttpRequest& head) {
  return api::body_too_large(head, kMaxRequestBodyBytes);
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

}  // namespace kinesim::wire
