// CBOR in tests: items read back with libcbor's own decoder (not kinesim's), and request bodies
// written by hand the way the Java SDK v2 writes them. For the suites that check what kinesim
// answers a CBOR caller (tests/unit/api_cbor_test.cc, the SubscribeToShard events in
// tests/unit/server_subscribe_test.cc).
#pragma once

#include <cbor.h>

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace kinesim::cbor_test {

// A CBOR data item read by libcbor's own decoder.
class CborItem {
 public:
  explicit CborItem(const std::string& bytes) {
    cbor_load_result result;
    item_ = cbor_load(reinterpret_cast<cbor_data>(bytes.data()), bytes.size(), &result);
    if (item_ && result.read != bytes.size()) {
      cbor_decref(&item_);
      item_ = nullptr;
    }
  }
  ~CborItem() {
    if (item_) cbor_decref(&item_);
  }
  CborItem(const CborItem&) = delete;
  CborItem& operator=(const CborItem&) = delete;
  const cbor_item_t* get() const { return item_; }

 private:
  cbor_item_t* item_ = nullptr;
};

inline std::optional<std::string> text_of(const cbor_item_t* item) {
  if (!item || !cbor_isa_string(item) || !cbor_string_is_definite(item)) return std::nullopt;
  return std::string(reinterpret_cast<const char*>(cbor_string_handle(item)),
                     cbor_string_length(item));
}

inline std::optional<std::string> bytes_of(const cbor_item_t* item) {
  if (!item || !cbor_isa_bytestring(item) || !cbor_bytestring_is_definite(item)) {
    return std::nullopt;
  }
  return std::string(reinterpret_cast<const char*>(cbor_bytestring_handle(item)),
                     cbor_bytestring_length(item));
}

// The value of member `name` of a map, or nullptr.
inline const cbor_item_t* member(const cbor_item_t* map, std::string_view name) {
  if (!map || !cbor_isa_map(map)) return nullptr;
  const cbor_pair* pairs = cbor_map_handle(map);
  for (size_t i = 0; i < cbor_map_size(map); ++i) {
    if (text_of(pairs[i].key) == name) return pairs[i].value;
  }
  return nullptr;
}

inline std::vector<std::string> member_names(const cbor_item_t* map) {
  std::vector<std::string> out;
  if (!map || !cbor_isa_map(map)) return out;
  const cbor_pair* pairs = cbor_map_handle(map);
  for (size_t i = 0; i < cbor_map_size(map); ++i)
    out.push_back(text_of(pairs[i].key).value_or("?"));
  return out;
}

inline const cbor_item_t* element(const cbor_item_t* array, size_t i) {
  if (!array || !cbor_isa_array(array) || i >= cbor_array_size(array)) return nullptr;
  return cbor_array_handle(array)[i];
}

// Request bodies, written by hand the way the Java SDK v2 (Jackson's CBOR generator) writes
// them: maps and arrays of indefinite length, member names as text strings, blobs as byte
// strings, timestamps as tag 1 over the 8-byte integer of epoch milliseconds.
inline std::string head(uint8_t major, uint64_t n) {
  std::string out;
  const auto m = static_cast<char>(major << 5);
  if (n < 24) return std::string(1, static_cast<char>(m | static_cast<char>(n)));
  int bytes = n <= 0xff ? 1 : n <= 0xffff ? 2 : n <= 0xffffffff ? 4 : 8;
  out.push_back(static_cast<char>(m | (bytes == 1 ? 24 : bytes == 2 ? 25 : bytes == 4 ? 26 : 27)));
  for (int i = bytes - 1; i >= 0; --i) out.push_back(static_cast<char>(n >> (8 * i)));
  return out;
}
inline std::string text(std::string_view s) { return head(3, s.size()) + std::string(s); }
inline std::string bytes(std::string_view b) { return head(2, b.size()) + std::string(b); }
inline std::string number(uint64_t v) { return head(0, v); }
inline std::string millis(uint64_t ms) {
  std::string out = "\xc1\x1b";
  for (int i = 7; i >= 0; --i) out.push_back(static_cast<char>(ms >> (8 * i)));
  return out;
}
// An indefinite-length map of key/value pairs (the values already encoded).
inline std::string map(std::initializer_list<std::pair<std::string_view, std::string>> members) {
  std::string out = "\xbf";
  for (const auto& [k, v] : members) out += text(k) + v;
  return out + "\xff";
}
inline std::string array(std::initializer_list<std::string> elements) {
  std::string out = "\x9f";
  for (const auto& e : elements) out += e;
  return out + "\xff";
}

}  // namespace kinesim::cbor_test
