// CBOR (application/x-amz-cbor-1.1), the binary wire format the Java SDK and the KPL use by
// default: the same members as JSON, with blobs as byte strings and timestamps as tag 1 over
// epoch milliseconds. Encoding and decoding go through libcbor.
#include <cbor.h>

#include <string>

#include "api/codec.h"

namespace kinesim::api {
namespace {

// Appends one encoded head or value; libcbor's encoders write into a caller's buffer.
template <typename Encode>
void append(std::string& out, Encode encode) {
  unsigned char buf[16];
  const size_t n = encode(buf, sizeof buf);
  out.append(reinterpret_cast<const char*>(buf), n);
}

void append_text(std::string& out, std::string_view s) {
  append(out, [&](unsigned char* b, size_t n) { return cbor_encode_string_start(s.size(), b, n); });
  out.append(s);
}

}  // namespace

std::string error_cbor(const Error& e) {
  // Kinesis writes its CBOR errors as an indefinite-length map (0xbf ... 0xff).
  std::string out;
  append(out, [](unsigned char* b, size_t n) { return cbor_encode_indef_map_start(b, n); });
  append_text(out, "__type");
  append_text(out, e.type);
  if (!e.message.empty()) {
    append_text(out, "message");
    append_text(out, e.message);
  }
  append(out, [](unsigned char* b, size_t n) { return cbor_encode_break(b, n); });
  return out;
}

}  // namespace kinesim::api
