// CBOR (application/x-amz-cbor-1.1) through libcbor: its stateless streaming decoder reads one
// head (or one definite-length string) per call, and its encoders write heads into a buffer. The
// nesting, the counts and the document being built are kept here, in an explicit stack.
#include "api/cbor.h"

#include <cbor.h>

#include <cmath>
#include <limits>
#include <utility>

namespace kinesim::api {
namespace {

// The length of the longest prefix of `s` that is well-formed UTF-8 (RFC 3629: no overlong
// forms, no surrogates, nothing above U+10FFFF). CBOR text strings must be well-formed.
std::size_t utf8_prefix(std::string_view s) {
  const std::size_t n = s.size();
  std::size_t i = 0;
  while (i < n) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      ++i;
      continue;
    }
    std::size_t len = 0;
    unsigned char lo = 0x80;  // the range of the second byte
    unsigned char hi = 0xbf;
    if (c >= 0xc2 && c <= 0xdf) {
      len = 2;
    } else if (c >= 0xe0 && c <= 0xef) {
      len = 3;
      if (c == 0xe0) lo = 0xa0;  // overlong
      if (c == 0xed) hi = 0x9f;  // surrogates
    } else if (c >= 0xf0 && c <= 0xf4) {
      len = 4;
      if (c == 0xf0) lo = 0x90;  // overlong
      if (c == 0xf4) hi = 0x8f;  // above U+10FFFF
    } else {
      return i;
    }
    if (n - i < len) return i;
    const auto second = static_cast<unsigned char>(s[i + 1]);
    if (second < lo || second > hi) return i;
    for (std::size_t k = 2; k < len; ++k) {
      if ((static_cast<unsigned char>(s[i + k]) & 0xc0) != 0x80) return i;
    }
    i += len;
  }
  return n;
}

bool is_utf8(std::string_view s) { return utf8_prefix(s) == s.size(); }

// ---------------------------------------------------------------------------------------------
// Decoding

// Feeds one CBOR data item to a rapidjson document as SAX events (the document's own handler,
// as its JSON reader does), checking what a Kinesis request may hold on the way. Used through
// rapidjson::Document::Populate, which calls operator() and keeps the root on success.
class Decoder {
 public:
  explicit Decoder(std::string_view body) : body_(body) {}

  bool operator()(rapidjson::Document& doc) {
    doc_ = &doc;
    // rapidjson counts string lengths and members in 32 bits.
    if (body_.size() > std::numeric_limits<rapidjson::SizeType>::max()) return false;
    const auto* data = reinterpret_cast<cbor_data>(body_.data());
    std::size_t pos = 0;
    while (!done_) {
      if (pos == body_.size()) return false;  // empty or truncated
      rest_ = body_.size() - pos;
      const cbor_decoder_result r = cbor_stream_decode(data + pos, rest_, &kCallbacks, this);
      if (r.status != CBOR_DECODER_FINISHED || failed_) return false;
      pos += r.read;
    }
    return pos == body_.size();  // nothing may follow the item
  }

 private:
  enum class Kind : std::uint8_t { kArray, kMap, kTextChunks, kByteChunks };
  // An open container, or an indefinite-length string collecting its chunks.
  struct Frame {
    Kind kind;
    bool indefinite;
    std::uint64_t expected;  // items of a definite container (a map's keys and values)
    std::uint64_t items = 0;
  };
  // What an item is, for the checks made before it is accepted.
  enum class Item : std::uint8_t { kText, kNumber, kOther };

  static Decoder& self(void* context) { return *static_cast<Decoder*>(context); }

  void fail() { failed_ = true; }

  bool in_chunks() const {
    return !frames_.empty() &&
           (frames_.back().kind == Kind::kTextChunks || frames_.back().kind == Kind::kByteChunks);
  }

  // Whether an item of this kind may come next: not inside an indefinite-length string (whose
  // chunks are handled before this), only text as a map key, only a number after tag 1.
  bool accept(Item item) {
    if (failed_) return false;
    if (in_chunks()) return fail(), false;
    if (!frames_.empty() && frames_.back().kind == Kind::kMap && frames_.back().items % 2 == 0 &&
        item != Item::kText) {
      return fail(), false;
    }
    if (timestamp_ && item != Item::kNumber) return fail(), false;
    return true;
  }

  // A complete value is on the document's stack: count it, and close every definite container
  // it completes. After the root, decoding is done.
  void completed() {
    while (!frames_.empty()) {
      Frame& f = frames_.back();
      ++f.items;
      if (f.indefinite || f.items < f.expected) return;
      close_container();
    }
    done_ = true;
  }

  // Ends the innermost container on the document; the caller counts it in its parent.
  void close_container() {
    const Frame& f = frames_.back();
    const auto n = static_cast<rapidjson::SizeType>(f.items);
    if (f.kind == Kind::kArray) {
      doc_->EndArray(n);
    } else {
      doc_->EndObject(n / 2);
    }
    frames_.pop_back();
  }

  void open(Kind kind, bool indefinite, std::uint64_t count) {
    if (frames_.size() >= kMaxCborNesting) return fail();
    // Every item takes at least one byte: a count the rest of the body cannot hold is a lie,
    // refused before anything is built for it.
    if (!indefinite && count > rest_) return fail();
    if (kind == Kind::kArray) doc_->StartArray();
    if (kind == Kind::kMap) doc_->StartObject();
    const std::uint64_t expected = kind == Kind::kMap ? 2 * count : count;
    frames_.push_back(Frame{kind, indefinite, expected});
    if (!indefinite && expected == 0) {
      close_container();
      completed();
    }
  }

  // Numbers. A pending tag 1 makes the number a timestamp in milliseconds; the document holds
  // timestamps as epoch seconds, as JSON sends them.
  void unsigned_int(std::uint64_t v) {
    if (!accept(Item::kNumber)) return;
    if (std::exchange(timestamp_, false)) {
      doc_->Double(static_cast<double>(v) / 1000.0);
    } else {
      doc_->Uint64(v);
    }
    completed();
  }
  void negative_int(std::uint64_t n) {  // the value is -1 - n
    if (!accept(Item::kNumber)) return;
    const bool fits = n <= static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max());
    if (std::exchange(timestamp_, false)) {
      doc_->Double((-1.0 - static_cast<double>(n)) / 1000.0);
    } else if (fits) {
      doc_->Int64(-1 - static_cast<std::int64_t>(n));
    } else {
      doc_->Double(-1.0 - static_cast<double>(n));
    }
    completed();
  }
  void floating(double d) {
    if (!accept(Item::kNumber)) return;
    // Kinesis has no member where NaN or an infinity means anything; JSON cannot send them.
    if (!std::isfinite(d)) return fail();
    doc_->Double(std::exchange(timestamp_, false) ? d / 1000.0 : d);
    completed();
  }

  // Strings. Definite-length ones are referenced in place; chunks of an indefinite-length one
  // must be definite strings of the same type, and are joined.
  void text(cbor_data data, std::size_t n) { chunk_or_string(Kind::kTextChunks, data, n); }
  void bytes(cbor_data data, std::size_t n) { chunk_or_string(Kind::kByteChunks, data, n); }
  void chunk_or_string(Kind chunks, cbor_data data, std::size_t n) {
    if (failed_) return;
    const char* s = reinterpret_cast<const char*>(data);
    // Each chunk of a text string is well-formed on its own (RFC 8949, 3.2.3).
    if (chunks == Kind::kTextChunks && !is_utf8(std::string_view(s, n))) return fail();
    if (in_chunks()) {
      if (frames_.back().kind != chunks) return fail();
      joined_.append(s, n);
      return;
    }
    if (!accept(chunks == Kind::kTextChunks ? Item::kText : Item::kOther)) return;
    doc_->String(s, static_cast<rapidjson::SizeType>(n), false);
    completed();
  }
  void start_chunks(Kind chunks) {
    if (!accept(chunks == Kind::kTextChunks ? Item::kText : Item::kOther)) return;
    joined_.clear();
    open(chunks, true, 0);
  }

  void container(Kind kind, bool indefinite, std::uint64_t count) {
    if (accept(Item::kOther)) open(kind, indefinite, count);
  }

  void boolean(bool v) {
    if (!accept(Item::kOther)) return;
    doc_->Bool(v);
    completed();
  }
  void null() {
    if (!accept(Item::kOther)) return;
    doc_->Null();
    completed();
  }

  void tag(std::uint64_t value) {
    if (failed_) return;
    if (in_chunks() || timestamp_) return fail();  // tag 1's content must be a number
    timestamp_ = value == 1;
  }

  void indefinite_break() {
    if (failed_) return;
    if (frames_.empty() || !frames_.back().indefinite || timestamp_) return fail();
    const Frame& f = frames_.back();
    switch (f.kind) {
      case Kind::kTextChunks:
      case Kind::kByteChunks:
        frames_.pop_back();
        doc_->String(joined_.data(), static_cast<rapidjson::SizeType>(joined_.size()), true);
        break;
      case Kind::kMap:
        if (f.items % 2 != 0) return fail();  // a key without a value
        close_container();
        break;
      case Kind::kArray:
        close_container();
        break;
    }
    completed();
  }

  static const cbor_callbacks kCallbacks;

  std::string_view body_;
  rapidjson::Document* doc_ = nullptr;
  std::size_t rest_ = 0;  // bytes from the item being decoded to the end of the body
  std::vector<Frame> frames_;
  std::string joined_;      // the chunks of the indefinite-length string being read
  bool timestamp_ = false;  // tag 1 was read and its content is next
  bool failed_ = false;
  bool done_ = false;
};

const cbor_callbacks Decoder::kCallbacks = {
    .uint8 = [](void* c, uint8_t v) { self(c).unsigned_int(v); },
    .uint16 = [](void* c, uint16_t v) { self(c).unsigned_int(v); },
    .uint32 = [](void* c, uint32_t v) { self(c).unsigned_int(v); },
    .uint64 = [](void* c, uint64_t v) { self(c).unsigned_int(v); },
    .negint64 = [](void* c, uint64_t v) { self(c).negative_int(v); },
    .negint32 = [](void* c, uint32_t v) { self(c).negative_int(v); },
    .negint16 = [](void* c, uint16_t v) { self(c).negative_int(v); },
    .negint8 = [](void* c, uint8_t v) { self(c).negative_int(v); },
    .byte_string_start = [](void* c) { self(c).start_chunks(Kind::kByteChunks); },
    .byte_string = [](void* c, cbor_data d, size_t n) { self(c).bytes(d, n); },
    .string = [](void* c, cbor_data d, size_t n) { self(c).text(d, n); },
    .string_start = [](void* c) { self(c).start_chunks(Kind::kTextChunks); },
    .indef_array_start = [](void* c) { self(c).container(Kind::kArray, true, 0); },
    .array_start = [](void* c, size_t n) { self(c).container(Kind::kArray, false, n); },
    .indef_map_start = [](void* c) { self(c).container(Kind::kMap, true, 0); },
    .map_start = [](void* c, size_t n) { self(c).container(Kind::kMap, false, n); },
    .tag = [](void* c, uint64_t v) { self(c).tag(v); },
    .float2 = [](void* c, float v) { self(c).floating(v); },
    .float4 = [](void* c, float v) { self(c).floating(v); },
    .float8 = [](void* c, double v) { self(c).floating(v); },
    .undefined = [](void* c) { self(c).null(); },  // JSON has no undefined
    .null = [](void* c) { self(c).null(); },
    .boolean = [](void* c, bool v) { self(c).boolean(v); },
    .indef_break = [](void* c) { self(c).indefinite_break(); },
};

// ---------------------------------------------------------------------------------------------
// Encoding

// Appends what one libcbor encoder writes (a head, at most 9 bytes).
template <typename Encode>
void append(std::string& out, Encode encode) {
  unsigned char buf[16];
  const std::size_t n = encode(buf, sizeof buf);
  out.append(reinterpret_cast<const char*>(buf), n);
}

void append_uint(std::string& out, std::uint64_t v) {
  append(out, [&](unsigned char* b, std::size_t n) { return cbor_encode_uint(v, b, n); });
}

void append_int(std::string& out, std::int64_t v) {
  if (v >= 0) return append_uint(out, static_cast<std::uint64_t>(v));
  // CBOR writes a negative v as -1 - n; -(v + 1) cannot overflow.
  const auto n = static_cast<std::uint64_t>(-(v + 1));
  append(out, [&](unsigned char* b, std::size_t size) { return cbor_encode_negint(n, b, size); });
}

}  // namespace

std::optional<Error> decode_cbor(std::string_view body, rapidjson::Document& doc) {
  Decoder decoder(body);
  bool ok = false;
  auto run = [&](rapidjson::Document& d) { return ok = decoder(d); };
  doc.Populate(run);
  if (!ok) return errors::serialization("");
  return std::nullopt;
}

// ---------------------------------------------------------------------------------------------
// CborOutput

void CborOutput::count_item() {
  if (!open_.empty()) ++open_.back().items;
}

void CborOutput::start(std::uint8_t major) {
  count_item();
  open_.push_back(Container{out_.size(), major, 0});
  out_.push_back(static_cast<char>(major));  // the head for an empty container, patched later
}

void CborOutput::finish() {
  const Container c = open_.back();
  open_.pop_back();
  const std::uint64_t n = c.major == 0xa0 ? c.items / 2 : c.items;
  if (n < 24) {
    out_[c.head] = static_cast<char>(c.major | n);
    return;
  }
  unsigned char head[16];
  const std::size_t len = c.major == 0xa0 ? cbor_encode_map_start(n, head, sizeof head)
                                          : cbor_encode_array_start(n, head, sizeof head);
  out_.replace(c.head, 1, reinterpret_cast<const char*>(head), len);
}

void CborOutput::begin_object() { start(0xa0); }
void CborOutput::end_object() { finish(); }
void CborOutput::begin_array() { start(0x80); }
void CborOutput::end_array() { finish(); }

void CborOutput::key(std::string_view k) { string(k); }

void CborOutput::string(std::string_view s) {
  count_item();
  std::string repaired;
  if (std::size_t valid = utf8_prefix(s); valid != s.size()) {
    // Text that did not arrive as text (a byte string sent for a string member) may be any bytes;
    // a text string may not, so each ill-formed byte becomes U+FFFD, as a Java String would have
    // it.
    while (valid != s.size()) {
      repaired.append(s.substr(0, valid)).append("\xef\xbf\xbd");
      s.remove_prefix(valid + 1);
      valid = utf8_prefix(s);
    }
    repaired.append(s);
    s = repaired;
  }
  append(out_,
         [&](unsigned char* b, std::size_t n) { return cbor_encode_string_start(s.size(), b, n); });
  out_.append(s);
}

void CborOutput::blob(std::string_view bytes) {
  count_item();
  append(out_, [&](unsigned char* b, std::size_t n) {
    return cbor_encode_bytestring_start(bytes.size(), b, n);
  });
  out_.append(bytes);
}

void CborOutput::integer(int64_t v) {
  count_item();
  append_int(out_, v);
}

void CborOutput::boolean(bool v) {
  count_item();
  out_.push_back(static_cast<char>(v ? 0xf5 : 0xf4));
}

void CborOutput::timestamp_ms(int64_t epoch_ms) {
  // The AWS SDKs read tag 1 over an integer as epoch milliseconds, and fail on a fraction.
  count_item();
  out_.push_back(static_cast<char>(0xc1));
  append_int(out_, epoch_ms);
}

void CborOutput::null() {
  count_item();
  out_.push_back(static_cast<char>(0xf6));
}

std::string CborOutput::take() { return std::move(out_); }

std::string error_cbor(const Error& e) {
  // Kinesis writes its CBOR errors as an indefinite-length map (0xbf ... 0xff); the members are
  // the ones write_error() gives JSON.
  std::string out(1, static_cast<char>(0xbf));
  auto text = [&out](std::string_view s) {
    CborOutput item;
    item.string(s);
    out += item.take();
  };
  text("__type");
  text(e.type);
  if (!e.message.empty()) {
    text(e.type == "SerializationException" ? "Message" : "message");
    text(e.message);
  }
  out.push_back(static_cast<char>(0xff));
  return out;
}

}  // namespace kinesim::api
