// The raw text of the Kinesis service model that kinesim implements.
#pragma once

#include <string_view>

namespace kinesim::api {

// The embedded kinesis-2013-12-02.service.json, unparsed and followed by a NUL byte.
std::string_view service_model_json();

}  // namespace kinesim::api
