// The Kinesis service model (kinesis-2013-12-02.service.json), linked into the binary as bytes.
#include "api/model_data.h"

#define KINESIM_STR2(x) #x
#define KINESIM_STR(x) KINESIM_STR2(x)

__asm__(
    ".section .rodata\n"
    ".global kinesim_service_model_begin\n"
    ".type kinesim_service_model_begin, @object\n"
    "kinesim_service_model_begin:\n"
    ".incbin " KINESIM_STR(KINESIM_MODEL_PATH) "\n"
    ".global kinesim_service_model_end\n"
    "kinesim_service_model_end:\n"
    ".byte 0\n"
    ".previous\n");

extern "C" const char kinesim_service_model_begin[];
extern "C" const char kinesim_service_model_end[];

namespace kinesim::api {

std::string_view service_model_json() {
  return std::string_view(
      kinesim_service_model_begin,
      static_cast<size_t>(kinesim_service_model_end - kinesim_service_model_begin));
}

}  // namespace kinesim::api
