#include "harness/gtest.h"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

namespace kinesim::harness::detail {

bool JsonFieldText(std::string_view data, std::string_view path, std::string* out) {
  rapidjson::Document doc;
  doc.Parse(data.data(), data.size());
  if (doc.HasParseError()) return false;
  const rapidjson::Value* v = &doc;
  while (true) {
    auto dot = path.find('.');
    std::string_view name = path.substr(0, dot);
    if (!v->IsObject()) return false;
    auto it =
        v->FindMember(rapidjson::Value(name.data(), static_cast<rapidjson::SizeType>(name.size())));
    if (it == v->MemberEnd()) return false;
    v = &it->value;
    if (dot == std::string_view::npos) break;
    path.remove_prefix(dot + 1);
  }
  if (v->IsString()) {
    out->assign(v->GetString(), v->GetStringLength());
  } else {
    rapidjson::StringBuffer buffer;
    rapidjson::Writer<rapidjson::StringBuffer> w(buffer);
    v->Accept(w);
    out->assign(buffer.GetString(), buffer.GetSize());
  }
  return true;
}

}  // namespace kinesim::harness::detail
