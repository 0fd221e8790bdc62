// The parsed Kinesis service model: every operation's input shape, reduced to what request
// validation needs (types, required members, length and value ranges, patterns, enums) and to
// the order in which Kinesis reports violations. Built once from the embedded
// kinesis-2013-12-02.service.json on first use; immutable and safe to share between threads.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace re2 {
class RE2;
}

namespace kinesim::api::model {

enum class ShapeType : std::uint8_t {
  kStructure,
  kList,
  kMap,
  kString,
  kInteger,
  kLong,
  kFloat,
  kDouble,
  kBoolean,
  kBlob,
  kTimestamp,
};

// A model `pattern`, matched against the WHOLE value as Kinesis does (a pattern such as
// `0|([1-9]\d{0,38})` accepts "12" but not "12a"; a leading `^` changes nothing).
//
// Matching is done by RE2, in time linear in the value's length and with no recursion over it,
// so no request can exhaust the stack. Classes apply to the value's bytes (RE2's Latin-1 mode),
// so a value that is not UTF-8 still gets a verdict; the model's counted repetitions apply to
// ASCII digits and letters only, so counting bytes rather than characters changes no verdict.
// Compiled patterns are immutable and safe to share between threads.
class Pattern {
 public:
  // Compiles `source`; nullopt (with `*error` set when given) for syntax RE2 refuses or whose
  // meaning differs between Java's regex engine, which Kinesis uses, and RE2.
  static std::optional<Pattern> compile(std::string_view source, std::string* error = nullptr);

  bool matches(std::string_view value) const;
  const std::string& source() const { return source_; }

 private:
  std::string source_;
  std::shared_ptr<const re2::RE2> regex_;
};

struct Shape;

struct Member {
  std::string name;       // as on the wire, e.g. "StreamName"
  std::string path_name;  // as in validation messages, e.g. "streamName"
  const Shape* shape = nullptr;
  bool required = false;
};

struct Shape {
  std::string name;  // the model's shape name, e.g. "PutRecordsRequestEntry"
  ShapeType type = ShapeType::kStructure;

  // Length for strings (UTF-16 code units, as Kinesis counts them), blobs (bytes), lists and
  // maps (entries); value for numbers.
  std::optional<std::int64_t> min;
  std::optional<std::int64_t> max;
  std::optional<Pattern> pattern;
  // Values in the order Kinesis prints them in "Member must satisfy enum value set: [...]".
  std::vector<std::string> enum_values;
  std::string enum_text;  // "[A, B, C]"
  // "[Member must have length less than or equal to 128, ...]": this shape's constraints as
  // Kinesis lists them when a list member, map key or map value violates them.
  std::string constraint_list_text;

  // Structures: members in model order, and the order in which violations are reported.
  std::vector<Member> members;
  std::vector<std::uint16_t> report_order;

  const Shape* member = nullptr;  // lists
  const Shape* key = nullptr;     // maps
  const Shape* value = nullptr;   // maps

  bool has_constraints() const { return min || max || pattern || !enum_values.empty(); }
  // The member called `name` on the wire, or nullptr.
  const Member* find_member(std::string_view name) const;
};

struct Operation {
  std::string name;
  const Shape* input = nullptr;
};

struct Model {
  std::vector<Operation> operations;  // sorted by name
  std::vector<std::string> operation_names;
  std::unordered_map<std::string, std::unique_ptr<Shape>> shapes;  // reachable from inputs

  const Operation* find_operation(std::string_view name) const;
};

// The embedded service model, parsed on first use (thread-safe).
const Model& service_model();

// Builds a model from service JSON text (the embedded model in production; tests may pass
// their own). Throws std::runtime_error if the text is not a service model or one of its
// patterns does not compile (a pattern left unchecked would accept every value).
std::unique_ptr<Model> parse_model(std::string_view service_json);

// Orders lowerCamelCase member names the way Kinesis reports their violations: the iteration
// order of a java.util.HashMap (JDK 7 layout: 16 buckets, load factor 0.75, supplemental hash,
// new entries at the head of their bucket) into which the names are inserted in model order.
// Neither model order nor alphabetical order fits what Kinesis answered; this order reproduces
// every recorded multi-member message (CreateStream, PutRecord, PutRecords and its entries,
// GetShardIterator, GetRecords, AddTagsToStream) except SplitShard's, where the two names that
// share a bucket came out the other way round. Returns indices into `names`.
std::vector<std::uint16_t> java_hash_map_order(const std::vector<std::string>& names);

// java.lang.String#hashCode of UTF-8 text (over its UTF-16 code units).
std::int32_t java_string_hash(std::string_view utf8);

// Number of UTF-16 code units of UTF-8 text: the "length" Kinesis checks for strings.
std::size_t utf16_length(std::string_view utf8);

}  // namespace kinesim::api::model
