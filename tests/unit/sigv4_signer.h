// A SigV4 signer for tests, built from api/sigv4.h: it signs the way the SDKs do (header
// signatures over host, x-amz-date and the named headers; presigned query strings), so tests can
// make requests kinesim must accept and then spoil one part at a time. Its arithmetic is checked
// against AWS's published values in api_sigv4_test.cc.
#pragma once

#include <ctime>
#include <string>
#include <string_view>
#include <vector>

#include "api/http.h"
#include "api/sigv4.h"

namespace kinesim::testing {

struct SigningKey {
  std::string access_key;
  std::string secret;
  std::string region = "us-east-1";
  std::string service = "kinesis";
};

// "20150830T123600Z" for epoch milliseconds.
inline std::string amz_date(int64_t ms) {
  const time_t secs = static_cast<time_t>(ms / 1000);
  tm t{};
  gmtime_r(&secs, &t);
  char buf[20];
  std::strftime(buf, sizeof buf, "%Y%m%dT%H%M%SZ", &t);
  return buf;
}

inline std::string credential_scope(const SigningKey& k, std::string_view date) {
  return std::string(date.substr(0, 8)) + "/" + k.region + "/" + k.service + "/aws4_request";
}

// Adds X-Amz-Date and an Authorization header signing `signed_headers` (lower case, ';'-separated,
// sorted, "host" among them) of `r` at time `ms`.
inline void sign(api::HttpRequest& r, const SigningKey& k, int64_t ms,
                 std::string_view signed_headers = "content-type;host;x-amz-date;x-amz-target") {
  const std::string date = amz_date(ms);
  r.headers.push_back({"x-amz-date", date});
  const std::string canonical =
      api::sigv4::canonical_request_for(r, signed_headers, api::sigv4::sha256_hex(r.body));
  const std::string scope = credential_scope(k, date);
  const std::string signature = api::sigv4::signature(
      api::sigv4::signing_key(k.secret, date.substr(0, 8), k.region, k.service),
      api::sigv4::string_to_sign(date, scope, canonical));
  r.headers.push_back({"authorization", "AWS4-HMAC-SHA256 Credential=" + k.access_key + "/" +
                                            scope +
                                            ", SignedHeaders=" + std::string(signed_headers) +
                                            ", Signature=" + signature});
}

// Moves the signature into the query string: X-Amz-Algorithm, -Credential, -Date, -Expires and
// -SignedHeaders, signed over an unsigned payload (the body is not known when a URL is presigned),
// and X-Amz-Signature last.
inline void presign(api::HttpRequest& r, const SigningKey& k, int64_t ms, int expires_s = 300,
                    std::string_view signed_headers = "host;x-amz-target") {
  const std::string date = amz_date(ms);
  const std::string scope = credential_scope(k, date);
  std::string query = "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=" +
                      api::sigv4::uri_encode(k.access_key + "/" + scope, false) +
                      "&X-Amz-Date=" + date + "&X-Amz-Expires=" + std::to_string(expires_s) +
                      "&X-Amz-SignedHeaders=" + api::sigv4::uri_encode(signed_headers, false);
  r.target += (r.target.find('?') == std::string::npos ? "?" : "&") + query;
  const std::string canonical = api::sigv4::canonical_request_for(
      r, signed_headers, api::sigv4::kUnsignedPayload, "X-Amz-Signature");
  const std::string signature = api::sigv4::signature(
      api::sigv4::signing_key(k.secret, date.substr(0, 8), k.region, k.service),
      api::sigv4::string_to_sign(date, scope, canonical));
  r.target += "&X-Amz-Signature=" + signature;
}

}  // namespace kinesim::testing
