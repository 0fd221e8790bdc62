#include "server/admin.h"

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <charconv>
#include <memory>
#include <string>

namespace kinesim::server {
namespace {

using api::HttpRequest;
using api::HttpResponse;
using api::Responder;
using JsonWriter = rapidjson::Writer<rapidjson::StringBuffer>;

HttpResponse json(int status, const std::function<void(JsonWriter&)>& write) {
  rapidjson::StringBuffer buffer;
  JsonWriter w(buffer);
  write(w);
  return HttpResponse{status, "application/json",
                      std::string(buffer.GetString(), buffer.GetSize())};
}

HttpResponse error(int status, const std::string& message) {
  return json(status, [&](JsonWriter& w) {
    w.StartObject();
    w.Key("error");
    w.String(message.c_str(), static_cast<rapidjson::SizeType>(message.size()));
    w.EndObject();
  });
}

HttpResponse empty_ok() {
  return json(200, [](JsonWriter& w) {
    w.StartObject();
    w.EndObject();
  });
}

// The body as a JSON object ("" reads as {}); nullopt with `why` set when it is not one.
bool parse_object(const std::string& body, rapidjson::Document& doc, std::string& why) {
  if (body.empty()) {
    doc.SetObject();
    return true;
  }
  doc.Parse(body.c_str(), body.size());
  if (doc.HasParseError() || !doc.IsObject()) {
    why = "the body must be a JSON object";
    return false;
  }
  return true;
}

HttpResponse clock_state(const ControllableClock& clock) {
  return json(200, [&](JsonWriter& w) {
    w.StartObject();
    w.Key("mode");
    w.String(clock.manual() ? "manual" : "system");
    w.Key("now_ms");
    w.Int64(clock.now_ms());
    w.EndObject();
  });
}

HttpResponse set_clock(ControllableClock& clock, const rapidjson::Document& doc) {
  if (!doc.HasMember("mode") || !doc["mode"].IsString()) {
    return error(400, "mode must be \"system\" or \"manual\"");
  }
  const std::string mode = doc["mode"].GetString();
  if (mode == "system") {
    clock.resume();
  } else if (mode == "manual") {
    std::optional<int64_t> at;
    if (doc.HasMember("now_ms")) {
      if (!doc["now_ms"].IsInt64()) return error(400, "now_ms must be an integer");
      at = doc["now_ms"].GetInt64();
    }
    if (!clock.freeze(at)) return error(400, "now_ms is earlier than now; time never goes back");
  } else {
    return error(400, "mode must be \"system\" or \"manual\"");
  }
  return clock_state(clock);
}

HttpResponse advance_clock(ControllableClock& clock, const rapidjson::Document& doc) {
  if (!doc.HasMember("ms") || !doc["ms"].IsInt64() || doc["ms"].GetInt64() < 0) {
    return error(400, "ms must be a non-negative integer");
  }
  if (!clock.advance(doc["ms"].GetInt64())) {
    return error(409, "the clock is not manual; POST /_kinesim/clock {\"mode\":\"manual\"} first");
  }
  return clock_state(clock);
}

// A fault rule from its JSON form; an error message when a member is wrong.
std::optional<std::string> read_rule(const rapidjson::Document& doc, api::FaultRule& rule) {
  if (!doc.HasMember("kind") || !doc["kind"].IsString()) return "kind is required";
  auto kind = api::parse_fault_kind(doc["kind"].GetString());
  if (!kind) return "kind must be throttle, internal_failure, latency or fail_records";
  rule.kind = *kind;
  for (auto [name, field] : {std::pair{"stream", &api::FaultRule::stream},
                             std::pair{"operation", &api::FaultRule::operation},
                             std::pair{"error_code", &api::FaultRule::error_code}}) {
    if (!doc.HasMember(name)) continue;
    if (!doc[name].IsString()) return std::string(name) + " must be a string";
    rule.*field = doc[name].GetString();
  }
  if (rule.error_code != "ProvisionedThroughputExceededException" &&
      rule.error_code != "InternalFailure") {
    return "error_code must be ProvisionedThroughputExceededException or InternalFailure";
  }
  for (auto [name, field] : {std::pair{"count", &api::FaultRule::count},
                             std::pair{"latency_ms", &api::FaultRule::latency_ms}}) {
    if (!doc.HasMember(name)) continue;
    if (!doc[name].IsInt64() || doc[name].GetInt64() < 0) {
      return std::string(name) + " must be a non-negative integer";
    }
    rule.*field = doc[name].GetInt64();
  }
  if (doc.HasMember("seed")) {
    if (!doc["seed"].IsUint64()) return "seed must be a non-negative integer";
    rule.seed = doc["seed"].GetUint64();
  }
  if (doc.HasMember("fraction")) {
    if (!doc["fraction"].IsNumber()) return "fraction must be a number from 0 to 1";
    rule.fraction = doc["fraction"].GetDouble();
    if (rule.fraction < 0 || rule.fraction > 1) return "fraction must be a number from 0 to 1";
  }
  if (doc.HasMember("records")) {
    if (!doc["records"].IsArray()) return "records must be a list of record positions";
    for (const auto& v : doc["records"].GetArray()) {
      if (!v.IsInt64() || v.GetInt64() < 0) return "records must be a list of record positions";
      rule.records.push_back(v.GetInt64());
    }
  }
  return std::nullopt;
}

void write_rule(JsonWriter& w, const api::FaultRuleState& s) {
  const api::FaultRule& r = s.rule;
  w.StartObject();
  w.Key("id");
  w.Int64(s.id);
  w.Key("kind");
  const std::string_view kind = api::fault_kind_name(r.kind);
  w.String(kind.data(), static_cast<rapidjson::SizeType>(kind.size()));
  w.Key("stream");
  w.String(r.stream.c_str());
  w.Key("operation");
  w.String(r.operation.c_str());
  w.Key("count");
  w.Int64(r.count);
  w.Key("fraction");
  w.Double(r.fraction);
  w.Key("seed");
  w.Uint64(r.seed);
  w.Key("latency_ms");
  w.Int64(r.latency_ms);
  w.Key("records");
  w.StartArray();
  for (int64_t i : r.records) w.Int64(i);
  w.EndArray();
  w.Key("error_code");
  w.String(r.error_code.c_str());
  w.Key("fired");
  w.Int64(s.fired);
  w.EndObject();
}

HttpResponse list_faults(const api::FaultRegistry& faults) {
  return json(200, [&](JsonWriter& w) {
    w.StartObject();
    w.Key("faults");
    w.StartArray();
    for (const auto& s : faults.rules()) write_rule(w, s);
    w.EndArray();
    w.EndObject();
  });
}

HttpResponse add_fault(api::FaultRegistry& faults, const rapidjson::Document& doc) {
  api::FaultRule rule;
  if (auto why = read_rule(doc, rule)) return error(400, *why);
  const int64_t id = faults.add(std::move(rule));
  return json(200, [&](JsonWriter& w) {
    w.StartObject();
    w.Key("id");
    w.Int64(id);
    w.EndObject();
  });
}

HttpResponse remove_fault(api::FaultRegistry& faults, std::string_view id_text) {
  int64_t id = 0;
  auto [end, ec] = std::from_chars(id_text.data(), id_text.data() + id_text.size(), id);
  if (ec != std::errc() || end != id_text.data() + id_text.size() || !faults.remove(id)) {
    return error(404, "no fault rule " + std::string(id_text));
  }
  return empty_ok();
}

void serve(AdminTargets& t, HttpRequest& request, Responder& done) {
  std::string_view path = request.target;
  path = path.substr(0, path.find('?'));
  const std::string& method = request.method;
  rapidjson::Document doc;
  std::string why;
  if (method == "POST" && !parse_object(request.body, doc, why)) return done(error(400, why));

  if (path == "/_kinesim/reset" && method == "POST") {
    return t.store.reset([&t, done](Status s) {
      if (!s.ok()) return done(error(500, "reset failed: " + s.message));
      t.faults.clear();
      t.faults.set_throughput_limits(t.throughput_limits);
      t.clock.reset();
      done(empty_ok());
    });
  }
  if (path == "/_kinesim/clock") {
    if (method == "GET") return done(clock_state(t.clock));
    if (method == "POST") return done(set_clock(t.clock, doc));
  } else if (path == "/_kinesim/clock/advance") {
    if (method == "POST") return done(advance_clock(t.clock, doc));
  } else if (path == "/_kinesim/faults") {
    if (method == "GET") return done(list_faults(t.faults));
    if (method == "POST") return done(add_fault(t.faults, doc));
    if (method == "DELETE") {
      t.faults.clear();
      return done(empty_ok());
    }
  } else if (path.starts_with("/_kinesim/faults/")) {
    if (method == "DELETE") return done(remove_fault(t.faults, path.substr(17)));
  } else if (path == "/_kinesim/throughput-limits") {
    if (method == "POST") {
      if (!doc.HasMember("enabled") || !doc["enabled"].IsBool()) {
        return done(error(400, "enabled must be true or false"));
      }
      t.faults.set_throughput_limits(doc["enabled"].GetBool());
      return done(empty_ok());
    }
  } else if (path != "/_kinesim/reset") {
    return done(error(404, "no admin resource " + std::string(path)));
  }
  done(error(405, "method " + method + " not allowed on " + std::string(path)));
}

}  // namespace

api::AdminHandler make_admin_handler(AdminTargets targets) {
  auto t = std::make_shared<AdminTargets>(targets);
  return [t](HttpRequest& request, Responder& done) { serve(*t, request, done); };
}

}  // namespace kinesim::server
