// AWS Signature Version 4, as a server recomputes it: the canonical request, the string to sign,
// the signing key and the signature, built from the parts of a request as they arrived. Pure
// functions with no knowledge of Kinesis; api/auth.h decides what to check and what to answer.
//
// The steps follow AWS's "Create a signed AWS API request" guide, for every service but S3: the
// path is normalised (dot segments and empty segments removed) and then URI-encoded once more, so
// a path that arrived percent-encoded is encoded twice, as the SDKs do when they sign.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "api/http.h"

namespace kinesim::api::sigv4 {

constexpr std::string_view kAlgorithm = "AWS4-HMAC-SHA256";
constexpr std::string_view kTerminator = "aws4_request";
constexpr std::string_view kUnsignedPayload = "UNSIGNED-PAYLOAD";

// Lower-case hex of SHA-256(data).
std::string sha256_hex(std::string_view data);
// Raw HMAC-SHA256(key, data), 32 bytes.
std::string hmac_sha256(std::string_view key, std::string_view data);
std::string to_hex(std::string_view bytes);
// Compares without an early exit, so the time taken says nothing about where they differ.
bool constant_time_equal(std::string_view a, std::string_view b);

// RFC 3986 encoding as SigV4 wants it: A-Z a-z 0-9 - . _ ~ stay, everything else becomes %XX
// (upper-case hex); '/' stays too when `keep_slash`.
std::string uri_encode(std::string_view s, bool keep_slash);
// Undoes %XX escapes; a '%' without two hex digits after it stays as it is. '+' stays '+'.
std::string percent_decode(std::string_view s);

// The canonical URI of a raw request path (the target before '?').
std::string canonical_uri(std::string_view raw_path);

// One query-string parameter, percent-decoded. A name without '=' has an empty value.
struct QueryParam {
  std::string name;
  std::string value;
};
// The parameters of a raw query string (the target after '?'), in the order they came.
std::vector<QueryParam> parse_query(std::string_view raw_query);
// Sorted name=value pairs, each side encoded, joined with '&'. A parameter called `exclude`
// (the presigned X-Amz-Signature) is left out.
std::string canonical_query(const std::vector<QueryParam>& params, std::string_view exclude = {});

// A header value as it is signed: outer whitespace trimmed, inner runs of whitespace as one space.
std::string canonical_header_value(std::string_view value);

// The canonical request: six lines, the canonical headers block ending in its own newline.
// `canonical_headers` is "name:value\n" per signed header, in the order of `signed_headers`.
std::string canonical_request(std::string_view method, std::string_view canonical_uri,
                              std::string_view canonical_query, std::string_view canonical_headers,
                              std::string_view signed_headers, std::string_view payload_hash);

// The canonical request of `request` as it arrived: its method, the path and query of its
// target (leaving out the parameter `exclude`, the presigned X-Amz-Signature), the headers
// `signed_headers` names ("host;x-amz-date"; values of repeated headers joined with ','), and
// `payload_hash`. A signed "host" falls back to HTTP/2's ":authority".
std::string canonical_request_for(const HttpRequest& request, std::string_view signed_headers,
                                  std::string_view payload_hash, std::string_view exclude = {});

// "AWS4-HMAC-SHA256\n<amz date>\n<scope>\n<hex sha256 of the canonical request>".
std::string string_to_sign(std::string_view amz_date, std::string_view scope,
                           std::string_view canonical_request);

// The key derived from a secret for one day, region and service (raw bytes).
std::string signing_key(std::string_view secret, std::string_view date, std::string_view region,
                        std::string_view service);

// Lower-case hex HMAC of the string to sign under the signing key.
std::string signature(std::string_view signing_key, std::string_view string_to_sign);

}  // namespace kinesim::api::sigv4
