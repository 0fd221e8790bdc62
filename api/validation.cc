// Request validation against the Kinesis service model.
//
// A request is checked in two passes, as Kinesis does:
//  1. Deserialization: every member the model knows is type-checked in document order; the
//     first wrong type (or undecodable base64 blob) is a SerializationException. Unknown
//     members are ignored and JSON null counts as absent.
//  2. Constraints: required members, lengths, ranges, patterns and enums, walked in the order
//     Kinesis reports them (see model::java_hash_map_order); at most ten violations are listed.
//
// Both passes allocate nothing for a valid request: values are read in place, patterns are
// precompiled, and messages are only built for violations.
#include "api/validation.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <cstring>
#include <limits>

#include "api/base64.h"
#include "api/model.h"

namespace kinesim::api {
namespace {

using model::Shape;
using model::ShapeType;
using rapidjson::Value;

// Values longer than this are not run through a pattern's matcher (they are treated as
// matching). Every patterned Kinesis shape has a maximum length far below it, so such a value
// is reported for its length anyway; the bound keeps a hostile request's cost linear and small.
constexpr std::size_t kMaxPatternInput = 64 * 1024;

constexpr std::string_view kListNotExpected = "Start of list found where not expected";
constexpr std::string_view kStructureNotExpected =
    "Start of structure or map found where not expected.";
constexpr std::string_view kBigNumber =
    "class com.amazon.coral.value.json.numbers.TruncatingBigNumber";
constexpr std::string_view kJavaString = "class java.lang.String";
constexpr std::string_view kJavaBoolean = "class java.lang.Boolean";

std::string_view text(const Value& v) { return {v.GetString(), v.GetStringLength()}; }

std::string concat(std::initializer_list<std::string_view> parts) {
  std::size_t size = 0;
  for (std::string_view p : parts) size += p.size();
  std::string out;
  out.reserve(size);
  for (std::string_view p : parts) out.append(p);
  return out;
}

// ---------------------------------------------------------------------------------------------
// Number conversion, shared by validation and the parse_* readers.

template <typename Int>
std::optional<Int> to_integer(const Value& v) {
  if (!v.IsNumber()) return std::nullopt;
  constexpr Int kMin = std::numeric_limits<Int>::min();
  constexpr Int kMax = std::numeric_limits<Int>::max();
  if (v.IsInt64()) {
    std::int64_t n = v.GetInt64();
    return static_cast<Int>(std::clamp<std::int64_t>(n, kMin, kMax));
  }
  if (v.IsUint64()) return kMax;  // above the int64 range
  double d = std::floor(v.GetDouble());
  if (!(d >= static_cast<double>(kMin))) return kMin;
  if (d >= static_cast<double>(kMax)) return kMax;
  return static_cast<Int>(d);
}

std::optional<double> to_double(const Value& v) {
  if (!v.IsNumber()) return std::nullopt;
  return v.GetDouble();
}

bool is_boolean_word(std::string_view upper) {
  return upper == "TRUE" || upper == "FALSE" || upper == "YES" || upper == "NO" || upper == "1" ||
         upper == "0";
}

std::string to_upper(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  }
  return out;
}

std::optional<std::string> container_mismatch(const Value& v) {
  if (v.IsArray()) return std::string(kListNotExpected);
  if (v.IsObject()) return std::string(kStructureNotExpected);
  return std::nullopt;
}

const char* number_word(ShapeType type) {
  switch (type) {
    case ShapeType::kInteger:
      return "Integer";
    case ShapeType::kLong:
      return "Long";
    case ShapeType::kFloat:
      return "Float";
    default:
      return "Double";
  }
}

// The SerializationException message for the first member of `v` (not null) whose JSON type
// does not fit `shape`, in document order; nullopt when all fit.
std::optional<std::string> check_types(const Shape& shape, const Value& v, BlobEncoding blobs) {
  switch (shape.type) {
    case ShapeType::kStructure: {
      if (v.IsArray()) return std::string(kListNotExpected);
      if (!v.IsObject()) return std::string("Expected null");
      for (const auto& m : v.GetObject()) {
        if (m.value.IsNull()) continue;
        const model::Member* member = shape.find_member(text(m.name));
        if (member == nullptr) continue;  // Kinesis ignores members it does not know
        if (auto error = check_types(*member->shape, m.value, blobs)) return error;
      }
      return std::nullopt;
    }
    case ShapeType::kList: {
      if (v.IsObject()) return std::string(kStructureNotExpected);
      if (!v.IsArray()) return std::string("Expected list or null");
      for (const auto& element : v.GetArray()) {
        if (element.IsNull()) continue;
        if (auto error = check_types(*shape.member, element, blobs)) return error;
      }
      return std::nullopt;
    }
    case ShapeType::kMap: {
      if (v.IsArray()) return std::string(kListNotExpected);
      if (!v.IsObject()) return std::string("Expected map or null");
      for (const auto& m : v.GetObject()) {
        if (m.value.IsNull()) continue;
        if (auto error = check_types(*shape.value, m.value, blobs)) return error;
      }
      return std::nullopt;
    }
    case ShapeType::kString:
      if (v.IsString()) return std::nullopt;
      if (v.IsBool()) return concat({kJavaBoolean, " can not be converted to an String"});
      if (v.IsNumber()) return concat({kBigNumber, " can not be converted to an String"});
      return container_mismatch(v);
    case ShapeType::kInteger:
    case ShapeType::kLong:
    case ShapeType::kFloat:
    case ShapeType::kDouble:
      if (v.IsNumber()) return std::nullopt;
      if (v.IsString()) {
        return concat({kJavaString, " can not be converted to an ", number_word(shape.type)});
      }
      if (v.IsBool()) {
        return concat({kJavaBoolean, " can not be converted to an ", number_word(shape.type)});
      }
      return container_mismatch(v);
    case ShapeType::kBoolean:
      if (v.IsBool()) return std::nullopt;
      if (v.IsNumber()) {
        // Kinesis accepts numbers written with a fraction or exponent, and no others.
        if (v.IsDouble()) return std::nullopt;
        return concat({kBigNumber, " can not be converted to an Boolean"});
      }
      if (v.IsString()) {
        std::string upper = to_upper(text(v));
        if (is_boolean_word(upper)) return std::nullopt;
        return concat({"'", upper, "' can not be converted to an Boolean"});
      }
      return container_mismatch(v);
    case ShapeType::kBlob: {
      if (v.IsString()) {
        if (blobs == BlobEncoding::kRaw) return std::nullopt;
        std::string_view s = text(v);
        const Base64Problem check = base64_problem(s);
        switch (check.kind) {
          case Base64Problem::Kind::kNone:
            return std::nullopt;
          case Base64Problem::Kind::kLength:
            return concat({"'", s,
                           "' can not be converted to a Blob: Base64 encoded length is expected a "
                           "multiple of 4 bytes but found: ",
                           std::to_string(s.size())});
          case Base64Problem::Kind::kCharacter:
            return concat({"'", s, "' can not be converted to a Blob: Invalid Base64 character: '",
                           std::string_view(&check.bad, 1), "'"});
          case Base64Problem::Kind::kLastCharacter:
            return concat({"'", s,
                           "' can not be converted to a Blob: Invalid last non-pad Base64 "
                           "character dectected"});
        }
      }
      if (v.IsBool()) return concat({kJavaBoolean, " can not be converted to a Blob"});
      if (v.IsNumber()) return concat({kBigNumber, " can not be converted to a Blob"});
      return container_mismatch(v);
    }
    case ShapeType::kTimestamp:
      // Kinesis takes epoch seconds as a JSON number; a string, even an ISO 8601 one, is not a
      // timestamp to it.
      if (v.IsNumber()) return std::nullopt;
      if (v.IsString()) {
        return concat({kJavaString, " can not be converted to milliseconds since epoch"});
      }
      if (v.IsBool()) {
        return concat({kJavaBoolean, " can not be converted to milliseconds since epoch"});
      }
      return container_mismatch(v);
  }
  return std::nullopt;
}

// ---------------------------------------------------------------------------------------------
// Rendering values as Kinesis prints them in "Value '...' at".

std::string format_double(double d) {
  std::array<char, 64> buffer{};
  auto [ptr, ec] = std::to_chars(buffer.data(), buffer.data() + buffer.size(), d);
  if (ec != std::errc()) return "NaN";
  return std::string(buffer.data(), ptr);
}

std::size_t blob_length(const Value& v, BlobEncoding blobs) {
  std::string_view s = text(v);
  if (blobs == BlobEncoding::kRaw) return s.size();
  return base64_decoded_size(s).value_or(0);  // types were checked first: the text is valid
}

// The value as Kinesis prints it in "Value '...' at": scalars only. Kinesis no longer prints
// blobs, lists, maps or structures (it answers "Value at 'records.1.member.data' failed to ...");
// nullopt for those. "null" for an absent value.
std::optional<std::string> render(const Shape& shape, const Value* v) {
  if (v == nullptr || v->IsNull()) return "null";
  switch (shape.type) {
    case ShapeType::kString:
      return std::string(text(*v));
    case ShapeType::kInteger:
      return std::to_string(to_integer<std::int32_t>(*v).value_or(0));
    case ShapeType::kLong:
      return std::to_string(to_integer<std::int64_t>(*v).value_or(0));
    case ShapeType::kFloat:
    case ShapeType::kDouble:
      return format_double(to_double(*v).value_or(0));
    case ShapeType::kBoolean:
      return parse_boolean(*v).value_or(false) ? "true" : "false";
    case ShapeType::kTimestamp:
      return format_double(parse_timestamp(*v).value_or(0));
    case ShapeType::kBlob:
    case ShapeType::kList:
    case ShapeType::kMap:
    case ShapeType::kStructure:
      break;
  }
  return std::nullopt;
}

// ---------------------------------------------------------------------------------------------
// Pass 2: constraints.

bool pattern_holds(const model::Pattern& pattern, std::string_view s) {
  return s.size() > kMaxPatternInput || pattern.matches(s);
}

bool in_enum(const Shape& shape, std::string_view s) {
  return std::find(shape.enum_values.begin(), shape.enum_values.end(), s) !=
         shape.enum_values.end();
}

template <typename T>
bool in_range(const Shape& shape, T n) {
  return (!shape.min || n >= static_cast<T>(*shape.min)) &&
         (!shape.max || n <= static_cast<T>(*shape.max));
}

// Whether a list member or map key/value satisfies every constraint of its shape.
bool satisfies(const Shape& shape, const Value* v, BlobEncoding blobs) {
  if (v == nullptr || v->IsNull()) return false;
  switch (shape.type) {
    case ShapeType::kString: {
      std::string_view s = text(*v);
      if (shape.pattern && !pattern_holds(*shape.pattern, s)) return false;
      if (!shape.enum_values.empty() && !in_enum(shape, s)) return false;
      return !(shape.min || shape.max) ||
             in_range(shape, static_cast<std::int64_t>(model::utf16_length(s)));
    }
    case ShapeType::kInteger:
      return in_range(shape, static_cast<std::int64_t>(*to_integer<std::int32_t>(*v)));
    case ShapeType::kLong:
      return in_range(shape, *to_integer<std::int64_t>(*v));
    case ShapeType::kFloat:
    case ShapeType::kDouble:
      return in_range(shape, *to_double(*v));
    case ShapeType::kBlob:
      return in_range(shape, static_cast<std::int64_t>(blob_length(*v, blobs)));
    case ShapeType::kList:
      return in_range(shape, static_cast<std::int64_t>(v->Size()));
    case ShapeType::kMap:
      return in_range(shape, static_cast<std::int64_t>(v->MemberCount()));
    default:
      return true;
  }
}

const Value* find_member(const Value& object, std::string_view name) {
  for (const auto& m : object.GetObject()) {
    if (m.name.GetStringLength() == name.size() &&
        std::memcmp(m.name.GetString(), name.data(), name.size()) == 0) {
      return m.value.IsNull() ? nullptr : &m.value;
    }
  }
  return nullptr;
}

class ConstraintChecker {
 public:
  ConstraintChecker(BlobEncoding blobs, const RequestLimits& limits)
      : blobs_(blobs), limits_(limits) {}

  const std::vector<std::string>& violations() const { return violations_; }

  // Checks the members of a structure; `object` is nullptr when the structure is absent.
  void check_structure(const Shape& shape, const Value* object) {
    for (std::uint16_t index : shape.report_order) {
      if (full()) return;
      const model::Member& member = shape.members[index];
      const Value* value = object != nullptr ? find_member(*object, member.name) : nullptr;
      if (value == nullptr && !member.required) continue;
      if (!push({member.path_name, 0})) return;
      check_value(*member.shape, value, member.required);
      pop();
    }
  }

 private:
  struct Segment {
    std::string_view name;  // empty for a list element
    std::size_t index;      // list elements: 0-based index
  };

  bool full() const { return violations_.size() >= kMaxReportedViolations; }

  // The model bounds the nesting; the fixed depth only guards against a recursive model.
  bool push(Segment segment) {
    if (depth_ == path_.size()) return false;
    path_[depth_++] = segment;
    return true;
  }
  void pop() { --depth_; }

  // "records.1.member.partitionKey": list elements are 1-based and followed by "member".
  std::string path() const {
    std::string out;
    for (std::size_t i = 0; i < depth_; ++i) {
      if (i) out += '.';
      if (path_[i].name.empty()) {
        out += std::to_string(path_[i].index + 1);
        out += ".member";
      } else {
        out.append(path_[i].name);
      }
    }
    return out;
  }

  void report(const Shape& shape, const Value* value, std::string_view constraint) {
    if (full()) return;
    const std::optional<std::string> rendered = render(shape, value);
    std::string shown;  // "Value 'x' at", "Value null at" or "Value at"
    if (!rendered) {
      shown = "Value at '";
    } else if (value == nullptr || value->IsNull()) {
      shown = "Value null at '";
    } else {
      shown = concat({"Value '", *rendered, "' at '"});
    }
    violations_.push_back(concat({shown, path(), "' failed to satisfy constraint: ", constraint}));
  }

  void report_length(const Shape& shape, const Value* value, std::int64_t length) {
    report_length(shape, value, length, shape.max);
  }
  void report_length(const Shape& shape, const Value* value, std::int64_t length,
                     std::optional<std::int64_t> max) {
    if (shape.min && length < *shape.min) {
      report(shape, value,
             concat({"Member must have length greater than or equal to ",
                     std::to_string(*shape.min)}));
    }
    if (max && length > *max) {
      report(shape, value,
             concat({"Member must have length less than or equal to ", std::to_string(*max)}));
    }
  }

  template <typename T>
  void report_range(const Shape& shape, const Value* value, T n, std::string (*format)(T)) {
    if (shape.min && n < static_cast<T>(*shape.min)) {
      report(shape, value,
             concat({"Member must have value greater than or equal to ",
                     format(static_cast<T>(*shape.min))}));
    }
    if (shape.max && n > static_cast<T>(*shape.max)) {
      report(shape, value,
             concat({"Member must have value less than or equal to ",
                     format(static_cast<T>(*shape.max))}));
    }
  }

  static std::string format_int(std::int64_t n) { return std::to_string(n); }

  void check_value(const Shape& shape, const Value* value, bool required) {
    if (value == nullptr) {
      if (required) report(shape, nullptr, "Member must not be null");
      return;
    }
    switch (shape.type) {
      case ShapeType::kString: {
        std::string_view s = text(*value);
        if (shape.pattern && !pattern_holds(*shape.pattern, s)) {
          report(shape, value,
                 concat({"Member must satisfy regular expression pattern: ",
                         shape.pattern->source()}));
        }
        if (!shape.enum_values.empty() && !in_enum(shape, s)) {
          report(shape, value, concat({"Member must satisfy enum value set: ", shape.enum_text}));
        }
        if (shape.min || shape.max) {
          report_length(shape, value, static_cast<std::int64_t>(model::utf16_length(s)));
        }
        return;
      }
      case ShapeType::kInteger:
        report_range<std::int64_t>(shape, value, *to_integer<std::int32_t>(*value), format_int);
        return;
      case ShapeType::kLong:
        report_range<std::int64_t>(shape, value, *to_integer<std::int64_t>(*value), format_int);
        return;
      case ShapeType::kFloat:
      case ShapeType::kDouble:
        report_range<double>(shape, value, *to_double(*value), format_double);
        return;
      case ShapeType::kBlob: {
        // A record's Data is bounded by its stream's maximum record size, not the model's.
        const bool record_data = shape.name == "Data" && limits_.max_data_bytes;
        const std::optional<std::int64_t> max = record_data ? limits_.max_data_bytes : shape.max;
        if (shape.min || max) {
          report_length(shape, value, static_cast<std::int64_t>(blob_length(*value, blobs_)), max);
        }
        return;
      }
      case ShapeType::kList:
        check_list(shape, *value);
        return;
      case ShapeType::kMap:
        check_map(shape, *value);
        return;
      case ShapeType::kStructure:
        check_structure(shape, value);
        return;
      case ShapeType::kBoolean:
      case ShapeType::kTimestamp:
        return;
    }
  }

  void check_list(const Shape& shape, const Value& list) {
    report_length(shape, &list, static_cast<std::int64_t>(list.Size()));
    const Shape& member = *shape.member;
    if (member.type == ShapeType::kStructure) {
      // Each entry is checked in place: records.1.member.partitionKey, ...
      for (rapidjson::SizeType i = 0; i < list.Size() && !full(); ++i) {
        const Value& element = list[i];
        if (!push({{}, i})) return;
        if (element.IsNull()) {
          report(member, nullptr, "Member must not be null");
        } else {
          check_structure(member, &element);
        }
        pop();
      }
      return;
    }
    // Scalar members are checked together and reported once, at the list, with every
    // constraint of the member shape: "Member must satisfy constraint: [...]".
    if (!member.has_constraints() &&
        !std::any_of(list.Begin(), list.End(), [](const Value& e) { return e.IsNull(); })) {
      return;
    }
    for (const auto& element : list.GetArray()) {
      if (!satisfies(member, &element, blobs_)) {
        report(shape, &list,
               concat({"Member must satisfy constraint: ", member.constraint_list_text}));
        return;
      }
    }
  }

  void check_map(const Shape& shape, const Value& map) {
    report_length(shape, &map, static_cast<std::int64_t>(map.MemberCount()));
    // Keys and values are checked together and reported once each, at the map.
    const Shape& key = *shape.key;
    const Shape& value = *shape.value;
    if (key.has_constraints()) {
      for (const auto& m : map.GetObject()) {
        if (!satisfies(key, &m.name, blobs_)) {
          report(shape, &map,
                 concat({"Map keys must satisfy constraint: ", key.constraint_list_text}));
          break;
        }
      }
    }
    // Structured map values are not checked member by member (the Kinesis model has none).
    if (value.type == ShapeType::kStructure || value.type == ShapeType::kList ||
        value.type == ShapeType::kMap) {
      return;
    }
    for (const auto& m : map.GetObject()) {
      bool ok = value.has_constraints() ? satisfies(value, &m.value, blobs_) : !m.value.IsNull();
      if (!ok) {
        report(shape, &map,
               concat({"Map value must satisfy constraint: ", value.constraint_list_text}));
        break;
      }
    }
  }

  BlobEncoding blobs_;
  const RequestLimits& limits_;
  std::vector<std::string> violations_;
  std::array<Segment, 16> path_{};
  std::size_t depth_ = 0;
};

}  // namespace

bool is_known_operation(std::string_view operation) {
  return model::service_model().find_operation(operation) != nullptr;
}

const std::vector<std::string>& operation_names() { return model::service_model().operation_names; }

std::optional<Error> validate_request(std::string_view operation, const Value& body,
                                      BlobEncoding blobs, const RequestLimits& limits) {
  const model::Operation* op = model::service_model().find_operation(operation);
  if (op == nullptr) return errors::make("UnknownOperationException", "");
  if (op->input == nullptr) return std::nullopt;

  // A null body reads as an empty request.
  if (!body.IsNull()) {
    if (auto message = check_types(*op->input, body, blobs)) {
      return errors::serialization(std::move(*message));
    }
  }

  ConstraintChecker checker(blobs, limits);
  checker.check_structure(*op->input, body.IsObject() ? &body : nullptr);
  const std::vector<std::string>& violations = checker.violations();
  if (violations.empty()) return std::nullopt;
  return validation_error(violations);
}

Error validation_error(const std::vector<std::string>& violations) {
  std::string message = std::to_string(violations.size());
  message +=
      violations.size() == 1 ? " validation error detected: " : " validation errors detected: ";
  for (std::size_t i = 0; i < violations.size(); ++i) {
    if (i) message += "; ";
    message += violations[i];
  }
  return errors::validation(std::move(message));
}

std::optional<double> parse_timestamp(const Value& value) {
  if (value.IsNumber()) return value.GetDouble();
  return std::nullopt;
}

std::optional<std::int32_t> parse_integer(const Value& value) {
  return to_integer<std::int32_t>(value);
}

std::optional<std::int64_t> parse_long(const Value& value) {
  return to_integer<std::int64_t>(value);
}

std::optional<bool> parse_boolean(const Value& value) {
  if (value.IsBool()) return value.GetBool();
  if (value.IsNumber()) {
    if (!value.IsDouble()) return std::nullopt;
    return value.GetDouble() != 0;
  }
  if (value.IsString()) {
    std::string upper = to_upper(text(value));
    if (upper == "TRUE" || upper == "YES" || upper == "1") return true;
    if (upper == "FALSE" || upper == "NO" || upper == "0") return false;
  }
  return std::nullopt;
}

}  // namespace kinesim::api
