#include "harness/admin_client.h"

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <stdexcept>

#include "harness/curl_easy.h"

namespace kinesim::harness {
namespace {

std::string Str(const rapidjson::Value& v, const char* name) {
  auto it = v.FindMember(name);
  return it != v.MemberEnd() && it->value.IsString() ? it->value.GetString() : "";
}

int64_t Int(const rapidjson::Value& v, const char* name) {
  auto it = v.FindMember(name);
  return it != v.MemberEnd() && it->value.IsInt64() ? it->value.GetInt64() : 0;
}

std::string ToJson(const rapidjson::Value& v) {
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> w(buffer);
  v.Accept(w);
  return std::string(buffer.GetString(), buffer.GetSize());
}

// An answer that is a JSON object, or the error it stands for.
struct Answer {
  std::optional<KinesisError> error;
  rapidjson::Document json;
};

}  // namespace

struct AdminClient::Impl {
  Impl(std::string endpoint, long timeout_ms)
      : endpoint(std::move(endpoint)), curl("AdminClient", timeout_ms) {}

  std::string endpoint;
  detail::CurlEasy curl;

  Answer Send(const char* method, std::string_view path, std::string_view json) {
    Answer a;
    std::string url = endpoint + "/_kinesim/" + std::string(path);
    curl_slist* headers = curl_slist_append(nullptr, "Content-Type: application/json");
    headers = curl_slist_append(headers, "Expect:");
    CURL* c = curl.get();
    curl_easy_setopt(c, CURLOPT_URL, url.c_str());
    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
    if (std::string_view(method) == "GET") {
      curl_easy_setopt(c, CURLOPT_HTTPGET, 1L);
    } else {
      curl_easy_setopt(c, CURLOPT_POSTFIELDS, json.data());
      curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(json.size()));
    }
    const auto outcome = curl.perform(headers);
    curl_slist_free_all(headers);
    if (!outcome.ok()) {
      a.error = KinesisError{"TransportError", outcome.error, 0};
      return a;
    }
    const long status = outcome.status;
    const std::string& body = curl.body();
    a.json.Parse(body.data(), body.size());
    const bool object = !a.json.HasParseError() && a.json.IsObject();
    if (status != 200) {
      std::string message = object ? Str(a.json, "error") : body;
      a.error = KinesisError{"AdminError", message, static_cast<int>(status)};
    } else if (!object) {
      a.error = KinesisError{"AdminError", "the answer is not a JSON object: " + body,
                             static_cast<int>(status)};
    } else if (a.json.HasMember("Output")) {
      // Without --admin the path is just another request that is not a Kinesis call, which
      // Kinesis answers 200 with {"Output":{"__type":"...UnknownOperationException"}}.
      a.error = KinesisError{"AdminError",
                             "the server does not serve the admin controls (start it with "
                             "--admin): " +
                                 body,
                             static_cast<int>(status)};
    }
    return a;
  }
};

AdminClient::AdminClient(std::string endpoint, long timeout_ms) {
  while (!endpoint.empty() && endpoint.back() == '/') endpoint.pop_back();
  impl_ = std::make_unique<Impl>(std::move(endpoint), timeout_ms);
}

AdminClient::~AdminClient() = default;
AdminClient::AdminClient(AdminClient&&) noexcept = default;
AdminClient& AdminClient::operator=(AdminClient&&) noexcept = default;

const std::string& AdminClient::endpoint() const { return impl_->endpoint; }

namespace {

Status ToStatus(const Answer& a) {
  if (a.error) return *a.error;
  return Done{};
}

Result<AdminClockState> ToClock(const Answer& a) {
  if (a.error) return *a.error;
  return AdminClockState{Str(a.json, "mode") == "manual", Int(a.json, "now_ms")};
}

}  // namespace

Status AdminClient::reset() { return ToStatus(impl_->Send("POST", "reset", "{}")); }

Result<AdminClockState> AdminClient::clock() { return ToClock(impl_->Send("GET", "clock", "")); }

Result<AdminClockState> AdminClient::freeze_clock(std::optional<int64_t> at_ms) {
  std::string body = R"({"mode":"manual")";
  if (at_ms) body += ",\"now_ms\":" + std::to_string(*at_ms);
  body += "}";
  return ToClock(impl_->Send("POST", "clock", body));
}

Result<AdminClockState> AdminClient::advance_clock(int64_t ms) {
  return ToClock(impl_->Send("POST", "clock/advance", "{\"ms\":" + std::to_string(ms) + "}"));
}

Result<AdminClockState> AdminClient::resume_clock() {
  return ToClock(impl_->Send("POST", "clock", R"({"mode":"system"})"));
}

Result<int64_t> AdminClient::add_fault(std::string_view rule_json) {
  Answer a = impl_->Send("POST", "faults", rule_json);
  if (a.error) return *a.error;
  return Int(a.json, "id");
}

Result<std::vector<AdminFault>> AdminClient::faults() {
  Answer a = impl_->Send("GET", "faults", "");
  if (a.error) return *a.error;
  std::vector<AdminFault> out;
  auto list = a.json.FindMember("faults");
  if (list == a.json.MemberEnd() || !list->value.IsArray()) {
    return KinesisError{"AdminError", "the answer has no faults list", 200};
  }
  for (const auto& rule : list->value.GetArray()) {
    if (!rule.IsObject()) continue;
    out.push_back(AdminFault{Int(rule, "id"), Str(rule, "kind"), Str(rule, "stream"),
                             Str(rule, "operation"), Int(rule, "count"), Int(rule, "fired"),
                             ToJson(rule)});
  }
  return out;
}

Result<int64_t> AdminClient::fired(int64_t id) {
  auto all = faults();
  if (!all.ok()) return all.error();
  for (const auto& f : *all) {
    if (f.id == id) return f.fired;
  }
  return KinesisError{"AdminError", "no fault rule " + std::to_string(id), 404};
}

Status AdminClient::remove_fault(int64_t id) {
  return ToStatus(impl_->Send("DELETE", "faults/" + std::to_string(id), ""));
}

Status AdminClient::clear_faults() { return ToStatus(impl_->Send("DELETE", "faults", "")); }

Status AdminClient::set_throughput_limits(bool enabled) {
  return ToStatus(impl_->Send("POST", "throughput-limits",
                              enabled ? R"({"enabled":true})" : R"({"enabled":false})"));
}

}  // namespace kinesim::harness
