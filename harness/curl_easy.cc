#include "harness/curl_easy.h"

#include <mutex>
#include <stdexcept>

namespace kinesim::harness::detail {
namespace {

size_t CollectBody(char* data, size_t size, size_t count, void* user) {
  static_cast<std::string*>(user)->append(data, size * count);
  return size * count;
}

}  // namespace

CurlEasy::CurlEasy(const char* who, long timeout_ms) {
  static std::once_flag curl_init;
  std::call_once(curl_init, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
  curl_ = curl_easy_init();
  if (!curl_) throw std::runtime_error(std::string(who) + ": curl_easy_init failed");
  curl_easy_setopt(curl_, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl_, CURLOPT_TIMEOUT_MS, timeout_ms);
  curl_easy_setopt(curl_, CURLOPT_WRITEFUNCTION, &CollectBody);
  curl_easy_setopt(curl_, CURLOPT_WRITEDATA, &body_);
  curl_easy_setopt(curl_, CURLOPT_ERRORBUFFER, error_);
}

CurlEasy::~CurlEasy() { curl_easy_cleanup(curl_); }

CurlEasy::Outcome CurlEasy::perform(curl_slist* headers) {
  body_.clear();
  error_[0] = '\0';
  curl_easy_setopt(curl_, CURLOPT_HTTPHEADER, headers);
  const CURLcode code = curl_easy_perform(curl_);
  Outcome out;
  if (code != CURLE_OK) {
    out.error = error_[0] ? error_ : curl_easy_strerror(code);
    return out;
  }
  curl_easy_getinfo(curl_, CURLINFO_RESPONSE_CODE, &out.status);
  return out;
}

}  // namespace kinesim::harness::detail
