// Parsing of the Kinesis service model into the compact structures request validation walks,
// and the pattern matcher those structures carry.
#include "api/model.h"

#include <rapidjson/document.h>
#include <re2/re2.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <stdexcept>
#include <utility>

#include "api/model_data.h"

namespace kinesim::api::model {
namespace {

using re2::RE2;

// ---------------------------------------------------------------------------------------------
// Pattern compilation: pattern text → syntax tree → NFA program (Thompson construction).

struct Node {
  enum class Kind : std::uint8_t { kClass, kConcat, kAlternation, kRepeat, kLineStart, kLineEnd };
  Kind kind = Kind::kConcat;
  std::uint32_t cls = 0;  // kClass
  int min = 0;            // kRepeat
  int max = -1;           // kRepeat; -1 means unbounded
  std::vector<Node> children;
};

// Bounds the program size: `\d{0,128}` needs a few hundred instructions, so this only refuses
// pathological patterns.
constexpr std::size_t kMaxProgramSize = 20000;
constexpr int kMaxRepeatCount = 1000;

std::bitset<256> range_set(unsigned char first, unsigned char last) {
  std::bitset<256> set;
  for (unsigned c = first; c <= last; ++c) set.set(c);
  return set;
}

std::bitset<256> digit_set() { return range_set('0', '9'); }
std::bitset<256> word_set() {
  return range_set('a', 'z') | range_set('A', 'Z') | range_set('0', '9') | range_set('_', '_');
}
std::bitset<256> space_set() {
  std::bitset<256> set;
  for (unsigned char c : {' ', '\t', '\n', '\r', '\f', '\v'}) set.set(c);
  return set;
}

class PatternParser {
 public:
  PatternParser(std::string_view text, std::vector<std::bitset<256>>& classes)
      : text_(text), classes_(classes) {}

  // The syntax tree of the whole pattern, or nullopt for unsupported or malformed syntax.
  std::optional<Node> parse() {
    Node node = parse_alternation();
    if (failed_ || pos_ != text_.size()) return std::nullopt;
    return node;
  }

 private:
  bool at_end() const { return pos_ >= text_.size(); }
  char peek() const { return text_[pos_]; }

  Node fail() {
    failed_ = true;
    return Node{};
  }
  bool refuse() {
    failed_ = true;
    return false;
  }

  std::uint32_t add_class(const std::bitset<256>& set) {
    classes_.push_back(set);
    return static_cast<std::uint32_t>(classes_.size() - 1);
  }

  Node class_node(const std::bitset<256>& set) {
    Node node;
    node.kind = Node::Kind::kClass;
    node.cls = add_class(set);
    return node;
  }

  Node parse_alternation() {
    Node first = parse_concatenation();
    if (at_end() || peek() != '|') return first;
    Node alternation;
    alternation.kind = Node::Kind::kAlternation;
    alternation.children.push_back(std::move(first));
    while (!failed_ && !at_end() && peek() == '|') {
      ++pos_;
      alternation.children.push_back(parse_concatenation());
    }
    return alternation;
  }

  Node parse_concatenation() {
    Node concatenation;
    concatenation.kind = Node::Kind::kConcat;
    while (!failed_ && !at_end() && peek() != '|' && peek() != ')') {
      Node atom = parse_atom();
      if (failed_) break;
      parse_quantifiers(atom);
      concatenation.children.push_back(std::move(atom));
    }
    return concatenation;
  }

  void parse_quantifiers(Node& atom) {
    while (!failed_ && !at_end()) {
      int min = 0;
      int max = -1;
      char c = peek();
      if (c == '*') {
        ++pos_;
      } else if (c == '+') {
        ++pos_;
        min = 1;
      } else if (c == '?') {
        ++pos_;
        max = 1;
      } else if (c == '{') {
        if (!parse_braces(min, max)) return;
      } else {
        return;
      }
      if (atom.kind == Node::Kind::kLineStart || atom.kind == Node::Kind::kLineEnd) {
        fail();
        return;
      }
      // A lazy quantifier accepts the same whole values as a greedy one.
      if (!at_end() && peek() == '?') ++pos_;
      // Possessive quantifiers change what matches; they are not supported.
      if (!at_end() && peek() == '+') {
        fail();
        return;
      }
      Node repeat;
      repeat.kind = Node::Kind::kRepeat;
      repeat.min = min;
      repeat.max = max;
      repeat.children.push_back(std::move(atom));
      atom = std::move(repeat);
    }
  }

  // `{n}`, `{n,}` or `{n,m}` at the current position. A `{` that starts none of these is an
  // error (ECMAScript would read it as a literal, but the model never relies on that).
  bool parse_braces(int& min, int& max) {
    std::size_t p = pos_ + 1;
    auto read_int = [&](int& out) {
      std::size_t start = p;
      while (p < text_.size() && text_[p] >= '0' && text_[p] <= '9') ++p;
      if (p == start) return false;
      auto [ptr, ec] = std::from_chars(text_.data() + start, text_.data() + p, out);
      return ec == std::errc() && ptr == text_.data() + p && out <= kMaxRepeatCount;
    };
    if (!read_int(min)) return refuse();
    max = min;
    if (p < text_.size() && text_[p] == ',') {
      ++p;
      if (p < text_.size() && text_[p] == '}') {
        max = -1;
      } else if (!read_int(max) || max < min) {
        return refuse();
      }
    }
    if (p >= text_.size() || text_[p] != '}') return refuse();
    pos_ = p + 1;
    return true;
  }

  Node parse_atom() {
    char c = peek();
    switch (c) {
      case '(': {
        ++pos_;
        if (!at_end() && peek() == '?') {
          if (pos_ + 1 < text_.size() && text_[pos_ + 1] == ':') {
            pos_ += 2;
          } else {
            return fail();  // look-arounds and flags are not supported
          }
        }
        Node inner = parse_alternation();
        if (failed_ || at_end() || peek() != ')') return fail();
        ++pos_;
        return inner;
      }
      case '[':
        return parse_bracket();
      case '.': {
        ++pos_;
        std::bitset<256> set;
        set.set();
        set.reset('\n');
        set.reset('\r');
        return class_node(set);
      }
      case '^': {
        ++pos_;
        Node node;
        node.kind = Node::Kind::kLineStart;
        return node;
      }
      case '$': {
        ++pos_;
        Node node;
        node.kind = Node::Kind::kLineEnd;
        return node;
      }
      case '\\': {
        ++pos_;
        std::bitset<256> set;
        if (!parse_escape(set)) return fail();
        return class_node(set);
      }
      case '*':
      case '+':
      case '?':
      case '{':
      case ')':
        return fail();
      default: {
        ++pos_;
        std::bitset<256> set;
        set.set(static_cast<unsigned char>(c));
        return class_node(set);
      }
    }
  }

  // The escape after a backslash (already consumed) as a set of bytes.
  bool parse_escape(std::bitset<256>& set) {
    if (at_end()) return false;
    char c = text_[pos_++];
    switch (c) {
      case 'd':
        set = digit_set();
        return true;
      case 'D':
        set = ~digit_set();
        return true;
      case 'w':
        set = word_set();
        return true;
      case 'W':
        set = ~word_set();
        return true;
      case 's':
        set = space_set();
        return true;
      case 'S':
        set = ~space_set();
        return true;
      case 'n':
        set.set('\n');
        return true;
      case 't':
        set.set('\t');
        return true;
      case 'r':
        set.set('\r');
        return true;
      case 'f':
        set.set('\f');
        return true;
      case 'v':
        set.set('\v');
        return true;
      default:
        // Escaped punctuation stands for itself; letter and digit escapes (\b, \p, \1, \u...)
        // mean something else and are not supported.
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) {
          return false;
        }
        set.set(static_cast<unsigned char>(c));
        return true;
    }
  }

  Node parse_bracket() {
    ++pos_;  // '['
    bool negate = false;
    if (!at_end() && peek() == '^') {
      negate = true;
      ++pos_;
    }
    std::bitset<256> set;
    bool first = true;
    while (true) {
      if (at_end()) return fail();
      char c = peek();
      if (c == ']' && !first) {
        ++pos_;
        break;
      }
      first = false;
      std::bitset<256> item;
      int single = -1;  // the item's byte when it can start or end a range
      if (c == '\\') {
        ++pos_;
        if (!parse_escape(item)) return fail();
        if (item.count() == 1) {
          for (int b = 0; b < 256; ++b) {
            if (item.test(static_cast<std::size_t>(b))) single = b;
          }
        }
      } else if (c == '[') {
        return fail();  // POSIX classes and nested sets are not supported
      } else {
        ++pos_;
        single = static_cast<unsigned char>(c);
        item.set(static_cast<std::size_t>(single));
      }
      // A range `a-z`; a '-' before ']' is a literal.
      if (single >= 0 && pos_ + 1 < text_.size() && peek() == '-' && text_[pos_ + 1] != ']') {
        ++pos_;
        int last = -1;
        char e = peek();
        if (e == '\\') {
          ++pos_;
          std::bitset<256> end_item;
          if (!parse_escape(end_item) || end_item.count() != 1) return fail();
          for (int b = 0; b < 256; ++b) {
            if (end_item.test(static_cast<std::size_t>(b))) last = b;
          }
        } else if (e == '[') {
          return fail();
        } else {
          ++pos_;
          last = static_cast<unsigned char>(e);
        }
        if (last < single) return fail();
        item = range_set(static_cast<unsigned char>(single), static_cast<unsigned char>(last));
      }
      set |= item;
    }
    if (negate) set.flip();
    return class_node(set);
  }

  std::string_view text_;
  std::size_t pos_ = 0;
  bool failed_ = false;
  std::vector<std::bitset<256>>& classes_;
};

using Instruction = Pattern::Instruction;
using Op = Instruction::Op;

class Emitter {
 public:
  explicit Emitter(std::vector<Instruction>& program) : program_(program) {}

  bool emit(const Node& node) {
    if (program_.size() > kMaxProgramSize) return false;
    switch (node.kind) {
      case Node::Kind::kClass:
        add({Op::kByte, node.cls, 0});
        return true;
      case Node::Kind::kLineStart:
        add({Op::kLineStart, 0, 0});
        return true;
      case Node::Kind::kLineEnd:
        add({Op::kLineEnd, 0, 0});
        return true;
      case Node::Kind::kConcat:
        for (const Node& child : node.children) {
          if (!emit(child)) return false;
        }
        return true;
      case Node::Kind::kAlternation: {
        // Each alternative but the last: split(next: this one, y: the rest); this one; jump end.
        std::vector<std::size_t> jumps_to_end;
        for (std::size_t i = 0; i + 1 < node.children.size(); ++i) {
          std::size_t split = add({Op::kSplit, 0, 0});
          program_[split].x = here();
          if (!emit(node.children[i])) return false;
          jumps_to_end.push_back(add({Op::kJump, 0, 0}));
          program_[split].y = here();
        }
        if (!emit(node.children.back())) return false;
        for (std::size_t jump : jumps_to_end) program_[jump].x = here();
        return true;
      }
      case Node::Kind::kRepeat: {
        const Node& body = node.children.front();
        for (int i = 0; i < node.min; ++i) {
          if (!emit(body)) return false;
        }
        if (node.max < 0) {
          // loop: split body, out; body; jump loop
          std::size_t loop = add({Op::kSplit, 0, 0});
          program_[loop].x = here();
          if (!emit(body)) return false;
          add({Op::kJump, static_cast<std::uint32_t>(loop), 0});
          program_[loop].y = here();
          return true;
        }
        // Optional copies: each split skips to the common end.
        std::vector<std::size_t> skips;
        for (int i = node.min; i < node.max; ++i) {
          std::size_t split = add({Op::kSplit, 0, 0});
          program_[split].x = here();
          skips.push_back(split);
          if (!emit(body)) return false;
        }
        for (std::size_t split : skips) program_[split].y = here();
        return true;
      }
    }
    return false;
  }

  std::size_t add(Instruction instruction) {
    program_.push_back(instruction);
    return program_.size() - 1;
  }

 private:
  std::uint32_t here() const { return static_cast<std::uint32_t>(program_.size()); }

  std::vector<Instruction>& program_;
};

bool is_name_char(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '.' || c == '-';
}

// `0|([1-9]\d{0,N})` → N, the form of Kinesis' hash-key and sequence-number patterns.
std::optional<std::size_t> decimal_pattern_digits(std::string_view source) {
  constexpr std::string_view kPrefix = "0|([1-9]\\d{0,";
  constexpr std::string_view kSuffix = "})";
  if (!source.starts_with(kPrefix) || !source.ends_with(kSuffix)) return std::nullopt;
  std::string_view digits =
      source.substr(kPrefix.size(), source.size() - kPrefix.size() - kSuffix.size());
  std::size_t n = 0;
  auto [ptr, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), n);
  if (digits.empty() || ec != std::errc() || ptr != digits.data() + digits.size()) {
    return std::nullopt;
  }
  return n;
}

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
// match what Java's do:
//   `.`   any character but a line terminator: Java excludes \r as well as \n, RE2 only \n;
//   `\s`  Java's whitespace includes the vertical tab (\x0B), RE2's does not;
//   `\S`  its complement.
// Refused: letter and digit escapes other than \d \D \w \W \s \S \n \t \r \f \v (\b, \p{..},
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
      } else if (!alnum || std::string_view("dDwWntrfv").find(e) != std::string_view::npos) {
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
      std::string_view source(it->value.GetString(), it->value.GetStringLength());
      shape.pattern = Pattern::compile(source);
      if (!shape.pattern) model_.unsupported_patterns.emplace_back(source);
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

std::optional<Pattern> Pattern::compile(std::string_view source) {
  Pattern pattern;
  pattern.source_ = std::string(source);
  std::string re2_error;
  pattern.re2_ = compile_re2(source, re2_error);
  if (source == "[a-zA-Z0-9_.-]+") {
    pattern.kind_ = Kind::kNameChars;
    return pattern;
  }
  if (auto digits = decimal_pattern_digits(source)) {
    pattern.kind_ = Kind::kDecimal;
    pattern.decimal_max_digits_ = *digits;
    return pattern;
  }
  PatternParser parser(source, pattern.classes_);
  std::optional<Node> tree = parser.parse();
  if (!tree) return std::nullopt;
  Emitter emitter(pattern.program_);
  if (!emitter.emit(*tree)) return std::nullopt;
  emitter.add({Op::kMatch, 0, 0});
  if (pattern.program_.size() > kMaxProgramSize) return std::nullopt;
  pattern.kind_ = Kind::kNfa;
  return pattern;
}

bool Pattern::matches_re2(std::string_view value) const {
  return re2_ && RE2::FullMatch(re2::StringPiece(value.data(), value.size()), *re2_);
}

bool Pattern::matches(std::string_view value) const {
  switch (kind_) {
    case Kind::kNameChars:
      return !value.empty() && std::all_of(value.begin(), value.end(), [](char c) {
        return is_name_char(static_cast<unsigned char>(c));
      });
    case Kind::kDecimal:
      if (value == "0") return true;
      if (value.empty() || value.size() > decimal_max_digits_ + 1) return false;
      if (value.front() < '1' || value.front() > '9') return false;
      return std::all_of(value.begin(), value.end(), [](char c) { return c >= '0' && c <= '9'; });
    case Kind::kNfa:
      break;
  }

  // Pike-VM simulation: the set of live program counters advances one byte at a time; a
  // per-state generation mark keeps each set free of duplicates. Scratch space is per thread so
  // a match allocates nothing once warm.
  struct Scratch {
    std::vector<std::uint32_t> mark;
    std::uint32_t generation = 0;
    std::vector<std::uint32_t> current, next, stack;
  };
  thread_local Scratch scratch;
  const std::size_t size = program_.size();
  if (scratch.mark.size() < size) scratch.mark.resize(size, 0);

  auto new_generation = [&] {
    if (++scratch.generation == 0) {
      std::fill(scratch.mark.begin(), scratch.mark.end(), 0);
      scratch.generation = 1;
    }
  };
  // Adds the threads reachable from `pc` without consuming input, at input position `pos`.
  auto add_thread = [&](std::vector<std::uint32_t>& list, std::uint32_t pc, std::size_t pos) {
    scratch.stack.clear();
    scratch.stack.push_back(pc);
    while (!scratch.stack.empty()) {
      std::uint32_t at = scratch.stack.back();
      scratch.stack.pop_back();
      if (scratch.mark[at] == scratch.generation) continue;
      scratch.mark[at] = scratch.generation;
      const Instruction& in = program_[at];
      switch (in.op) {
        case Op::kJump:
          scratch.stack.push_back(in.x);
          break;
        case Op::kSplit:
          scratch.stack.push_back(in.y);
          scratch.stack.push_back(in.x);
          break;
        case Op::kLineStart:
          if (pos == 0) scratch.stack.push_back(at + 1);
          break;
        case Op::kLineEnd:
          if (pos == value.size()) scratch.stack.push_back(at + 1);
          break;
        case Op::kByte:
        case Op::kMatch:
          list.push_back(at);
          break;
      }
    }
  };

  scratch.current.clear();
  new_generation();
  add_thread(scratch.current, 0, 0);
  for (std::size_t pos = 0; pos < value.size(); ++pos) {
    if (scratch.current.empty()) return false;
    const auto byte = static_cast<unsigned char>(value[pos]);
    scratch.next.clear();
    new_generation();
    for (std::uint32_t pc : scratch.current) {
      const Instruction& in = program_[pc];
      if (in.op == Op::kByte && classes_[in.x].test(byte))
        add_thread(scratch.next, pc + 1, pos + 1);
    }
    std::swap(scratch.current, scratch.next);
  }
  return std::any_of(scratch.current.begin(), scratch.current.end(),
                     [&](std::uint32_t pc) { return program_[pc].op == Op::kMatch; });
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
