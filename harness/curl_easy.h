// The libcurl handle under the harness's HTTP clients (KinesisClient, AdminClient, a
// subscription's own connection): libcurl initialised once per process, the answer's body
// collected unless the caller reads it itself, and a failed transfer told as text.
#pragma once

#include <curl/curl.h>

#include <string>

namespace kinesim::harness::detail {

class CurlEasy {
 public:
  // Throws std::runtime_error ("<who>: curl_easy_init failed") when libcurl has no handle.
  CurlEasy(const char* who, long timeout_ms);
  ~CurlEasy();
  CurlEasy(const CurlEasy&) = delete;
  CurlEasy& operator=(const CurlEasy&) = delete;

  // For the request's own options (URL, method, body, a WRITEFUNCTION of its own).
  CURL* get() const { return curl_; }

  struct Outcome {
    long status = 0;    // the HTTP status; 0 when the transfer failed
    std::string error;  // why the transfer failed; "" when it did not
    bool ok() const { return error.empty(); }
  };
  // Sends the request set up on get() with `headers` (kept by the caller) and waits for the
  // answer; body() holds it afterwards unless the request set its own WRITEFUNCTION.
  Outcome perform(curl_slist* headers);
  const std::string& body() const { return body_; }

 private:
  CURL* curl_ = nullptr;
  std::string body_;
  char error_[CURL_ERROR_SIZE] = {};
};

}  // namespace kinesim::harness::detail
