// Parsing of the Kinesis service model into the compact structures request validation walks,
// and the compiled patterns those structures carry.
#include "api/model.h"

#include <rapidjson/document.h>
#include <re2/re2.h>

#include <algorithm>
#include <array>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>

#include "api/model_data.h"

namespace kinesim::api::model {
namespace {

using re2::RE2;

// ---------------------------------------------------------------------------------------------
// Patterns in RE2.
//
// Kinesis checks a model pattern with Java's regex engine against the whole value. kinesim runs
// it through RE2, whose matching takes time linear in the value's length and no recursion over
// the input, so no request can exhaust the stack or the CPU. RE2 works in Latin-1 mode here:
// every byte of the value is one character, so classes such as `\S` or `[^,]` apply to bytes
// and a value that is not UTF-8 still gets a verdict. The model's counted repetitions apply to
// ASCII digits and letters only, so counting bytes rather than characters changes no verdict.

// RE2's memory for one pattern (its compiled program and its lazily built DFA). The model's
// largest program, `0|([1-9]\d{0,128})`, needs a few kilobytes; when the DFA cache fills on a
// long value RE2 falls back to its NFA, still linear.
constexpr std::int64_t kPatternMaxMem = 1 << 20;

// The pattern in RE2 syntax, or nullopt (with `error` set) for syntax whose meaning differs
// between Java and RE2 and that the model has never used. Three pieces are rewritten so they
// mean what they mean in Java:
//   `.`   any character but a line terminator: Java excludes \r as well as \n, RE2 only \n;
//   `\s`  Java's whitespace includes the vertical tab (\x0B), RE2's does not;
//   `\S`  its complement.
// Refused: letter and digit escapes other than \d \D \w \W \s \S \n \t \r \f (\v, \b, \p{..},
// \x.., \Q, \z and back-references mean different things or nothing in one of the two), `\S`
// inside brackets (Java's complement-within-a-class has no RE2 spelling), nested brackets (Java's
// class union and intersection, POSIX classes in RE2) and `(?` groups other than `(?:` (inline
// flags such as `(?s)` would change what the `.` rewrite means; look-arounds do not exist in RE2).
std::optional<std::string> to_re2_syntax(std::string_view source, std::string& error) {
  constexpr std::string_view kSpaces = "\\t\\n\\x0B\\f\\r ";
  std::string out;
  out.reserve(source.size() + 16);
  bool in_class = false;
  std::size_t class_start = 0;  // where the class's items begin (after `[` and any `^`)
  for (std::size_t i = 0; i < source.size(); ++i) {
    const char c = source[i];
    if (c == '\\' && i + 1 < source.size()) {
      const char e = source[++i];
      const bool alnum = (e >= 'a' && e <= 'z') || (e >= 'A' && e <= 'Z') || (e >= '0' && e <= '9');
      if (e == 's') {
        out += in_class ? std::string(kSpaces) : "[" + std::string(kSpaces) + "]";
      } else if (e == 'S') {
        if (in_class) {
          error = "\\S inside a bracket class";
          return std::nullopt;
        }
        out += "[^" + std::string(kSpaces) + "]";
      } else if (!alnum || std::string_view("dDwWntrf").find(e) != std::string_view::npos) {
        out += '\\';
        out += e;
      } else {
        error = std::string("unsupported escape \\") + e;
        return std::nullopt;
      }
      continue;
    }
    if (in_class) {
      if (c == '[') {
        error = "nested bracket class";
        return std::nullopt;
      }
      if (c == ']' && i != class_start) in_class = false;
      out += c;
      continue;
    }
    if (c == '[') {
      in_class = true;
      out += c;
      if (i + 1 < source.size() && source[i + 1] == '^') out += source[++i];
      class_start = i + 1;
      continue;
    }
    if (c == '(' && i + 1 < source.size() && source[i + 1] == '?' &&
        !(i + 2 < source.size() && source[i + 2] == ':')) {
      error = "unsupported group (?";
      return std::nullopt;
    }
    if (c == '.') {
      out += "[^\\n\\r]";
      continue;
    }
    out += c;
  }
  return out;
}

RE2::Options pattern_options() {
  RE2::Options options;
  options.set_encoding(RE2::Options::EncodingLatin1);
  options.set_never_capture(true);  // only the verdict is wanted
  options.set_max_mem(kPatternMaxMem);
  options.set_log_errors(false);  // a refused pattern is reported by the caller
  return options;
}

// The model pattern `source` compiled by RE2, or nullptr (with `error` set).
std::shared_ptr<const RE2> compile_re2(std::string_view source, std::string& error) {
  std::optional<std::string> syntax = to_re2_syntax(source, error);
  if (!syntax) return nullptr;
  auto regex = std::make_shared<const RE2>(*syntax, pattern_options());
  if (!regex->ok()) {
    error = regex->error();
    return nullptr;
  }
  return regex;
}

// ---------------------------------------------------------------------------------------------
// Model parsing.

// Enum orders recorded from Kinesis' own messages where they differ from the model's order.
// Kinesis printed ShardIteratorType as
//   [AFTER_SEQUENCE_NUMBER, LATEST, AT_TIMESTAMP, AT_SEQUENCE_NUMBER, TRIM_HORIZON].
// Every other enum is printed in model order (no other order has been recorded).
struct RecordedEnumOrder {
  std::string_view shape;
  std::array<std::string_view, 5> values;
};
constexpr std::array<RecordedEnumOrder, 1> kRecordedEnumOrders = {{
    {"ShardIteratorType",
     {"AFTER_SEQUENCE_NUMBER", "LATEST", "AT_TIMESTAMP", "AT_SEQUENCE_NUMBER", "TRIM_HORIZON"}},
}};

std::vector<std::string> order_enum(std::string_view shape, std::vector<std::string> values) {
  for (const RecordedEnumOrder& recorded : kRecordedEnumOrders) {
    if (recorded.shape != shape) continue;
    // Recorded values first, in the recorded order; values the model added since, after them
    // in model order.
    std::vector<std::string> ordered;
    for (std::string_view v : recorded.values) {
      if (!v.empty() && std::find(values.begin(), values.end(), v) != values.end()) {
        ordered.emplace_back(v);
      }
    }
    for (const std::string& v : values) {
      if (std::find(ordered.begin(), ordered.end(), v) == ordered.end()) ordered.push_back(v);
    }
    return ordered;
  }
  return values;
}

std::optional<ShapeType> shape_type(std::string_view type) {
  static constexpr std::pair<std::string_view, ShapeType> kTypes[] = {
      {"structure", ShapeType::kStructure},
      {"list", ShapeType::kList},
      {"map", ShapeType::kMap},
      {"string", ShapeType::kString},
      {"integer", ShapeType::kInteger},
      {"long", ShapeType::kLong},
      {"float", ShapeType::kFloat},
      {"double", ShapeType::kDouble},
      {"boolean", ShapeType::kBoolean},
      {"blob", ShapeType::kBlob},
      {"timestamp", ShapeType::kTimestamp},
  };
  for (const auto& [name, value] : kTypes) {
    if (name == type) return value;
  }
  return std::nullopt;
}

std::optional<std::int64_t> bound(const rapidjson::Value& shape, const char* key) {
  auto it = shape.FindMember(key);
  if (it == shape.MemberEnd() || !it->value.IsNumber()) return std::nullopt;
  if (it->value.IsInt64()) return it->value.GetInt64();
  return static_cast<std::int64_t>(it->value.GetDouble());
}

bool is_length_type(ShapeType type) {
  return type == ShapeType::kString || type == ShapeType::kBlob || type == ShapeType::kList ||
         type == ShapeType::kMap;
}

// The constraint list Kinesis prints for list members and map keys/values, e.g.
// "[Member must have length less than or equal to 128, Member must have length greater than or
// equal to 1]": maximum, minimum, pattern, enum.
std::string constraint_list(const Shape& shape) {
  std::vector<std::string> parts;
  const char* what = is_length_type(shape.type) ? "length" : "value";
  if (shape.max) {
    parts.push_back(std::string("Member must have ") + what + " less than or equal to " +
                    std::to_string(*shape.max));
  }
  if (shape.min) {
    parts.push_back(std::string("Member must have ") + what + " greater than or equal to " +
                    std::to_string(*shape.min));
  }
  if (shape.pattern) {
    parts.push_back("Member must satisfy regular expression pattern: " + shape.pattern->source());
  }
  if (!shape.enum_values.empty())
    parts.push_back("Member must satisfy enum value set: " + shape.enum_text);
  std::string text = "[";
  for (std::size_t i = 0; i < parts.size(); ++i) {
    if (i) text += ", ";
    text += parts[i];
  }
  text += "]";
  return text;
}

class ModelBuilder {
 public:
  ModelBuilder(const rapidjson::Value& shapes, Model& model) : shapes_(shapes), model_(model) {}

  const Shape* build(const std::string& name) {
    if (auto it = model_.shapes.find(name); it != model_.shapes.end()) return it->second.get();
    auto found = shapes_.FindMember(name.c_str());
    if (found == shapes_.MemberEnd() || !found->value.IsObject()) {
      throw std::runtime_error("service model: unknown shape " + name);
    }
    const rapidjson::Value& json = found->value;
    // Registered before its members are built, so recursive shapes terminate.
    Shape& shape = *model_.shapes.emplace(name, std::make_unique<Shape>()).first->second;
    shape.name = name;
    auto type_it = json.FindMember("type");
    std::optional<ShapeType> type;
    if (type_it != json.MemberEnd() && type_it->value.IsString()) {
      type = shape_type(type_it->value.GetString());
    }
    if (!type) throw std::runtime_error("service model: shape " + name + " has no known type");
    shape.type = *type;
    shape.min = bound(json, "min");
    shape.max = bound(json, "max");

    if (auto it = json.FindMember("pattern"); it != json.MemberEnd() && it->value.IsString()) {
      std::string source(it->value.GetString(), it->value.GetStringLength());
      std::string error;
      shape.pattern = Pattern::compile(source, &error);
      if (!shape.pattern) {
        throw std::runtime_error("service model: pattern " + source + " of shape " + name +
                                 " does not compile: " + error);
      }
    }
    if (auto it = json.FindMember("enum"); it != json.MemberEnd() && it->value.IsArray()) {
      std::vector<std::string> values;
      for (const auto& v : it->value.GetArray()) {
        if (v.IsString()) values.emplace_back(v.GetString(), v.GetStringLength());
      }
      shape.enum_values = order_enum(name, std::move(values));
      shape.enum_text = "[";
      for (std::size_t i = 0; i < shape.enum_values.size(); ++i) {
        if (i) shape.enum_text += ", ";
        shape.enum_text += shape.enum_values[i];
      }
      shape.enum_text += "]";
    }
    shape.constraint_list_text = constraint_list(shape);

    switch (shape.type) {
      case ShapeType::kStructure:
        build_structure(json, shape);
        break;
      case ShapeType::kList:
        shape.member = build(reference(json, "member", name));
        break;
      case ShapeType::kMap:
        shape.key = build(reference(json, "key", name));
        shape.value = build(reference(json, "value", name));
        break;
      default:
        break;
    }
    return &shape;
  }

 private:
  // The shape named by `owner[key]`, an object of the form {"shape": "Name", ...}.
  static std::string reference(const rapidjson::Value& owner, const char* key,
                               const std::string& context) {
    auto it = owner.FindMember(key);
    if (it == owner.MemberEnd() || !it->value.IsObject()) {
      throw std::runtime_error("service model: " + context + " lacks " + key);
    }
    auto shape = it->value.FindMember("shape");
    if (shape == it->value.MemberEnd() || !shape->value.IsString()) {
      throw std::runtime_error("service model: " + context + "." + key + " names no shape");
    }
    return std::string(shape->value.GetString(), shape->value.GetStringLength());
  }

  void build_structure(const rapidjson::Value& json, Shape& shape) {
    std::vector<std::string> required;
    if (auto it = json.FindMember("required"); it != json.MemberEnd() && it->value.IsArray()) {
      for (const auto& r : it->value.GetArray()) {
        if (r.IsString()) required.emplace_back(r.GetString(), r.GetStringLength());
      }
    }
    auto members = json.FindMember("members");
    if (members == json.MemberEnd() || !members->value.IsObject()) return;
    for (const auto& m : members->value.GetObject()) {
      Member member;
      member.name.assign(m.name.GetString(), m.name.GetStringLength());
      member.path_name = member.name;
      if (!member.path_name.empty()) {
        char& first = member.path_name.front();
        if (first >= 'A' && first <= 'Z') first = static_cast<char>(first - 'A' + 'a');
      }
      member.required = std::find(required.begin(), required.end(), member.name) != required.end();
      if (!m.value.IsObject()) {
        throw std::runtime_error("service model: member " + shape.name + "." + member.name +
                                 " is not an object");
      }
      auto ref = m.value.FindMember("shape");
      if (ref == m.value.MemberEnd() || !ref->value.IsString()) {
        throw std::runtime_error("service model: member " + shape.name + "." + member.name +
                                 " names no shape");
      }
      member.shape = build(std::string(ref->value.GetString(), ref->value.GetStringLength()));
      shape.members.push_back(std::move(member));
    }
    std::vector<std::string> names;
    for (const Member& m : shape.members) names.push_back(m.path_name);
    shape.report_order = java_hash_map_order(names);
  }

  const rapidjson::Value& shapes_;
  Model& model_;
};

}  // namespace

// ---------------------------------------------------------------------------------------------
// Pattern

std::optional<Pattern> Pattern::compile(std::string_view source, std::string* error) {
  std::string why;
  std::shared_ptr<const RE2> regex = compile_re2(source, why);
  if (!regex) {
    if (error) *error = std::move(why);
    return std::nullopt;
  }
  Pattern pattern;
  pattern.source_ = std::string(source);
  pattern.regex_ = std::move(regex);
  return pattern;
}

bool Pattern::matches(std::string_view value) const {
  return RE2::FullMatch(re2::StringPiece(value.data(), value.size()), *regex_);
}

// ---------------------------------------------------------------------------------------------
// Helpers shared with validation.

std::int32_t java_string_hash(std::string_view utf8) {
  std::uint32_t h = 0;
  auto mix = [&h](std::uint32_t unit) { h = 31 * h + unit; };
  for (std::size_t i = 0; i < utf8.size();) {
    auto lead = static_cast<unsigned char>(utf8[i]);
    std::size_t n = lead >= 0xF0 && lead <= 0xF4 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC2 ? 2 : 1;
    if (lead >= 0xF5) n = 1;
    std::uint32_t cp = n == 4 ? lead & 0x07u : n == 3 ? lead & 0x0Fu : n == 2 ? lead & 0x1Fu : lead;
    bool ok = i + n <= utf8.size();
    for (std::size_t k = 1; ok && k < n; ++k) {
      auto next = static_cast<unsigned char>(utf8[i + k]);
      ok = (next & 0xC0) == 0x80;
      cp = (cp << 6) | (next & 0x3Fu);
    }
    if (!ok) {
      n = 1;
      cp = lead;  // not UTF-8: the byte counts as one code unit
    }
    if (cp >= 0x10000) {
      cp -= 0x10000;
      mix(0xD800 + (cp >> 10));
      mix(0xDC00 + (cp & 0x3FF));
    } else {
      mix(cp);
    }
    i += n;
  }
  return static_cast<std::int32_t>(h);
}

std::size_t utf16_length(std::string_view utf8) {
  std::size_t units = 0;
  for (char ch : utf8) {
    auto c = static_cast<unsigned char>(ch);
    if ((c & 0xC0) != 0x80) ++units;  // every byte but continuation bytes starts a character
    if (c >= 0xF0) ++units;           // four-byte characters are surrogate pairs
  }
  return units;
}

std::vector<std::uint16_t> java_hash_map_order(const std::vector<std::string>& names) {
  struct Entry {
    std::uint32_t hash;
    std::uint16_t index;
  };
  auto supplemental = [](std::uint32_t h) {
    h ^= (h >> 20) ^ (h >> 12);
    return h ^ (h >> 7) ^ (h >> 4);
  };
  std::size_t capacity = 16;
  std::size_t threshold = 12;
  std::vector<std::vector<Entry>> table(capacity);  // each bucket listed head first
  std::size_t size = 0;
  for (std::size_t i = 0; i < names.size(); ++i) {
    std::uint32_t hash = supplemental(static_cast<std::uint32_t>(java_string_hash(names[i])));
    std::size_t bucket = hash & (capacity - 1);
    if (size >= threshold && !table[bucket].empty()) {
      // Resize: entries move bucket by bucket, each to the head of its new bucket.
      std::vector<std::vector<Entry>> grown(capacity * 2);
      for (const auto& old : table) {
        for (const Entry& e : old) {
          auto& target = grown[e.hash & (capacity * 2 - 1)];
          target.insert(target.begin(), e);
        }
      }
      table = std::move(grown);
      capacity *= 2;
      threshold = capacity * 3 / 4;
      bucket = hash & (capacity - 1);
    }
    table[bucket].insert(table[bucket].begin(), Entry{hash, static_cast<std::uint16_t>(i)});
    ++size;
  }
  std::vector<std::uint16_t> order;
  for (const auto& bucket : table) {
    for (const Entry& e : bucket) order.push_back(e.index);
  }
  return order;
}

// ---------------------------------------------------------------------------------------------
// Model

const Member* Shape::find_member(std::string_view name) const {
  for (const Member& m : members) {
    if (m.name == name) return &m;
  }
  return nullptr;
}

const Operation* Model::find_operation(std::string_view name) const {
  auto it = std::lower_bound(operations.begin(), operations.end(), name,
                             [](const Operation& op, std::string_view n) { return op.name < n; });
  if (it == operations.end() || it->name != name) return nullptr;
  return &*it;
}

std::unique_ptr<Model> parse_model(std::string_view service_json) {
  rapidjson::Document doc;
  doc.Parse(service_json.data(), service_json.size());
  if (doc.HasParseError() || !doc.IsObject()) {
    throw std::runtime_error("service model: not a JSON object");
  }
  // Read through a const view: rapidjson's mutable member iterators compare only through a
  // conversion that C++20's reversed operators make ambiguous (clang's
  // -Wambiguous-reversed-operator).
  const rapidjson::Value& root = doc;
  auto operations = root.FindMember("operations");
  auto shapes = root.FindMember("shapes");
  if (operations == root.MemberEnd() || !operations->value.IsObject() ||
      shapes == root.MemberEnd() || !shapes->value.IsObject()) {
    throw std::runtime_error("service model: operations or shapes missing");
  }
  auto model = std::make_unique<Model>();
  ModelBuilder builder(shapes->value, *model);
  for (const auto& op : operations->value.GetObject()) {
    Operation operation;
    operation.name.assign(op.name.GetString(), op.name.GetStringLength());
    if (auto input = op.value.FindMember("input");
        input != op.value.MemberEnd() && input->value.IsObject()) {
      auto shape = input->value.FindMember("shape");
      if (shape != input->value.MemberEnd() && shape->value.IsString()) {
        operation.input = builder.build(shape->value.GetString());
      }
    }
    model->operations.push_back(std::move(operation));
  }
  std::sort(model->operations.begin(), model->operations.end(),
            [](const Operation& a, const Operation& b) { return a.name < b.name; });
  for (const Operation& op : model->operations) model->operation_names.push_back(op.name);
  return model;
}

const Model& service_model() {
  static const std::unique_ptr<Model> model = parse_model(service_model_json());
  return *model;
}

}  // namespace kinesim::api::model
