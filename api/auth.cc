#include "api/auth.h"

#include <cerrno>
#include <cstring>
#include <ctime>
#include <fstream>
#include <sstream>
#include <utility>
#include <vector>

#include "api/sigv4.h"

namespace kinesim::api {
namespace {

constexpr std::string_view kService = "kinesis";
// How far a signature's date may be from the server's clock, either way.
constexpr int64_t kMaxSkewMs = 5 * 60 * 1000;

bool all_digits(std::string_view s) {
  return !s.empty() && s.find_first_not_of("0123456789") == std::string_view::npos;
}

bool is_account_id(std::string_view s) { return s.size() == 12 && all_digits(s); }

// ---------------------------------------------------------------------------------------------
// What a request says about its signature.

// The value of parameter `name` in an Authorization header ("AWS4-HMAC-SHA256
// Credential=..., SignedHeaders=..., Signature=..."), or "" when it is absent or empty.
// Parameters follow the algorithm name, separated by commas and/or spaces: NAME=VALUE.
std::string_view authorization_parameter(std::string_view auth, std::string_view name) {
  size_t pos = auth.find(' ');
  while (pos != std::string_view::npos) {
    pos = auth.find_first_not_of(", ", pos);
    if (pos == std::string_view::npos) break;
    const size_t end = auth.find_first_of(", ", pos);
    const std::string_view item = auth.substr(pos, end - pos);
    const size_t eq = item.find('=');
    if (eq != std::string_view::npos && item.substr(0, eq) == name) return item.substr(eq + 1);
    pos = end;
  }
  return {};
}

const sigv4::QueryParam* find_param(const std::vector<sigv4::QueryParam>& params,
                                    std::string_view name) {
  for (const auto& p : params) {
    if (p.name == name) return &p;
  }
  return nullptr;
}

std::string_view query_of(std::string_view target) {
  const size_t q = target.find('?');
  return q == std::string_view::npos ? std::string_view{} : target.substr(q + 1);
}

std::vector<std::string_view> split(std::string_view s, char sep) {
  std::vector<std::string_view> parts;
  while (true) {
    const size_t at = s.find(sep);
    parts.push_back(s.substr(0, at));
    if (at == std::string_view::npos) return parts;
    s.remove_prefix(at + 1);
  }
}

// ---------------------------------------------------------------------------------------------
// Time, as SigV4 writes it.

// "20150830T123600Z" for `ms` (rounded down to the second).
std::string iso_basic(int64_t ms) {
  const time_t secs = static_cast<time_t>(ms >= 0 ? ms / 1000 : (ms - 999) / 1000);
  tm t{};
  gmtime_r(&secs, &t);
  char buf[20];
  std::strftime(buf, sizeof buf, "%Y%m%dT%H%M%SZ", &t);
  return buf;
}

// Milliseconds since the epoch of an ISO-8601 basic timestamp, "20150830T123600Z".
std::optional<int64_t> parse_iso_basic(std::string_view s) {
  if (s.size() != 16 || s[8] != 'T' || s[15] != 'Z') return std::nullopt;
  if (!all_digits(s.substr(0, 8)) || !all_digits(s.substr(9, 6))) return std::nullopt;
  auto num = [&](size_t at, size_t n) { return std::stoi(std::string(s.substr(at, n))); };
  tm t{};
  t.tm_year = num(0, 4) - 1900;
  t.tm_mon = num(4, 2) - 1;
  t.tm_mday = num(6, 2);
  t.tm_hour = num(9, 2);
  t.tm_min = num(11, 2);
  t.tm_sec = num(13, 2);
  if (t.tm_mon > 11 || t.tm_mday < 1 || t.tm_mday > 31 || t.tm_hour > 23 || t.tm_min > 59 ||
      t.tm_sec > 60) {
    return std::nullopt;
  }
  return static_cast<int64_t>(timegm(&t)) * 1000;
}

// Milliseconds since the epoch of an HTTP date, "Sun, 30 Aug 2015 12:36:00 GMT".
std::optional<int64_t> parse_http_date(std::string_view s) {
  tm t{};
  const std::string text(s);
  const char* end = strptime(text.c_str(), "%a, %d %b %Y %H:%M:%S GMT", &t);
  if (end == nullptr || *end != '\0') return std::nullopt;
  return static_cast<int64_t>(timegm(&t)) * 1000;
}

// The request's signing time: X-Amz-Date in basic ISO-8601, or (for header signatures only) an
// HTTP Date header, which is signed in its ISO form.
struct SigningTime {
  int64_t ms = 0;
  std::string iso;  // as it appears in the string to sign
};

std::optional<SigningTime> signing_time(std::string_view amz_date, std::string_view http_date) {
  if (!amz_date.empty()) {
    auto ms = parse_iso_basic(amz_date);
    if (!ms) return std::nullopt;
    return SigningTime{*ms, std::string(amz_date)};
  }
  auto ms = parse_http_date(http_date);
  if (!ms) return std::nullopt;
  return SigningTime{*ms, iso_basic(*ms)};
}

Error invalid_signature(std::string message) {
  return errors::make("InvalidSignatureException", std::move(message));
}
Error incomplete_signature(std::string message) {
  return errors::make("IncompleteSignatureException", std::move(message));
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// Modes and credentials

std::optional<AuthMode> parse_auth_mode(std::string_view name) {
  if (name == "off") return AuthMode::kOff;
  if (name == "presence") return AuthMode::kPresence;
  if (name == "verify") return AuthMode::kVerify;
  return std::nullopt;
}

bool is_region_name(std::string_view r) {
  const std::vector<std::string_view> parts = split(r, '-');
  if (parts.size() < 3) return false;
  if (parts.front().size() != 2) return false;
  for (size_t i = 0; i + 1 < parts.size(); ++i) {
    if (parts[i].empty()) return false;
    for (char c : parts[i]) {
      if (c < 'a' || c > 'z') return false;
    }
  }
  return all_digits(parts.back()) && parts.back().size() <= 2;
}

Result<Credentials> Credentials::parse(std::string_view text, std::string_view source) {
  Credentials creds;
  int line_no = 0;
  for (std::string_view line : split(text, '\n')) {
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    const size_t first = line.find_first_not_of(" \t");
    if (first == std::string_view::npos || line[first] == '#') continue;
    std::vector<std::string_view> fields;
    size_t pos = first;
    while (pos != std::string_view::npos && pos < line.size()) {
      const size_t end = line.find_first_of(" \t", pos);
      fields.push_back(line.substr(pos, end - pos));
      pos = line.find_first_not_of(" \t", end);
    }
    auto fail = [&](const std::string& why) {
      return Status::Error(StatusCode::kInvalid,
                           std::string(source) + ":" + std::to_string(line_no) + ": " + why);
    };
    if (fields.size() != 3) {
      return fail("expected ACCESS_KEY_ID SECRET_ACCESS_KEY ACCOUNT_ID, found " +
                  std::to_string(fields.size()) + " fields");
    }
    const std::string_view key = fields[0];
    const bool key_ok = key.size() <= 128 && key.find_first_not_of(
                                                 "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvw"
                                                 "xyz0123456789_-") == std::string_view::npos;
    if (!key_ok) {
      return fail("access key id '" + std::string(key) +
                  "' must be 1 to 128 letters, digits, '_' or '-'");
    }
    if (!is_account_id(fields[2])) {
      return fail("account id '" + std::string(fields[2]) + "' must be 12 digits");
    }
    auto [it, inserted] = creds.keys_.emplace(
        std::string(key), AccessKey{std::string(fields[1]), std::string(fields[2])});
    if (!inserted) return fail("access key id '" + std::string(key) + "' is listed twice");
  }
  if (creds.keys_.empty()) {
    return Status::Error(StatusCode::kInvalid, std::string(source) + ": no access keys");
  }
  return creds;
}

Result<Credentials> Credentials::load(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return Status::Error(StatusCode::kInvalid,
                         "cannot read credentials file " + path + ": " + std::strerror(errno));
  }
  std::ostringstream text;
  text << in.rdbuf();
  return parse(text.str(), path);
}

const AccessKey* Credentials::find(std::string_view access_key_id) const {
  auto it = keys_.find(access_key_id);
  return it == keys_.end() ? nullptr : &it->second;
}

// ---------------------------------------------------------------------------------------------
// Authenticator

// A request's signature as it presents it, from the Authorization header or the query string.
struct SignatureClaim {
  bool presigned = false;
  std::string algorithm;
  std::string credential;  // "AKID/20150830/us-east-1/kinesis/aws4_request"
  std::string signed_headers;
  std::string signature;
  std::string amz_date;   // X-Amz-Date, header or query
  std::string http_date;  // the Date header (header signatures only)
  std::string expires;    // presigned X-Amz-Expires, when given
  std::vector<sigv4::QueryParam> query;
};

Authenticator::Authenticator(AuthOptions options, const Clock& clock)
    : options_(std::move(options)), clock_(clock) {}

namespace {

// Kinesis insists that a request is signed before it looks at the signature: a SigV4
// Authorization header with its three parameters and a date, or presigned query parameters, but
// not both. The first failure is the answer, with Kinesis' messages.
std::optional<Error> read_claim(const HttpRequest& r, SignatureClaim& c) {
  const std::string_view auth = r.header("authorization");
  c.query = sigv4::parse_query(query_of(r.target));
  const bool query_auth = find_param(c.query, "X-Amz-Algorithm") != nullptr;
  if (!auth.empty() && query_auth) {
    return invalid_signature(
        "Found both 'X-Amz-Algorithm' as a query-string param and 'Authorization' as HTTP "
        "header.");
  }
  if (auth.empty() && !query_auth) {
    return errors::make("MissingAuthenticationTokenException", "Missing Authentication Token");
  }
  std::string missing;
  if (!auth.empty()) {
    c.algorithm = std::string(auth.substr(0, auth.find(' ')));
    c.credential = std::string(authorization_parameter(auth, "Credential"));
    c.signature = std::string(authorization_parameter(auth, "Signature"));
    c.signed_headers = std::string(authorization_parameter(auth, "SignedHeaders"));
    c.amz_date = std::string(r.header("x-amz-date"));
    c.http_date = std::string(r.header("date"));
    for (auto [name, value] :
         {std::pair{"Credential", &c.credential}, std::pair{"Signature", &c.signature},
          std::pair{"SignedHeaders", &c.signed_headers}}) {
      if (value->empty())
        missing += std::string("Authorization header requires '") + name + "' parameter. ";
    }
    if (c.amz_date.empty() && c.http_date.empty()) {
      missing +=
          "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. ";
    }
    if (missing.empty()) return std::nullopt;
    return incomplete_signature(missing + "Authorization=" + std::string(auth));
  }
  c.presigned = true;
  for (auto [name, value] :
       {std::pair{"X-Amz-Algorithm", &c.algorithm}, std::pair{"X-Amz-Credential", &c.credential},
        std::pair{"X-Amz-Signature", &c.signature},
        std::pair{"X-Amz-SignedHeaders", &c.signed_headers},
        std::pair{"X-Amz-Date", &c.amz_date}}) {
    const sigv4::QueryParam* p = find_param(c.query, name);
    if (p != nullptr) *value = p->value;
    if (value->empty())
      missing += std::string("AWS query-string parameters must include '") + name + "'. ";
  }
  if (const sigv4::QueryParam* p = find_param(c.query, "X-Amz-Expires")) c.expires = p->value;
  if (missing.empty()) return std::nullopt;
  return incomplete_signature(missing + "Re-examine the query-string parameters.");
}

}  // namespace

std::string Authenticator::body_digest(const HttpRequest& request) const {
  return options_.mode == AuthMode::kVerify ? sigv4::sha256_hex(request.body) : std::string();
}

std::variant<Caller, Error> Authenticator::authenticate(const HttpRequest& request,
                                                        std::string_view body_digest) const {
  if (options_.mode == AuthMode::kOff) {
    std::string_view credential =
        authorization_parameter(request.header("authorization"), "Credential");
    if (credential.empty()) {
      const auto query = sigv4::parse_query(query_of(request.target));
      if (const sigv4::QueryParam* p = find_param(query, "X-Amz-Credential")) {
        return caller_for(p->value);
      }
    }
    return caller_for(credential);
  }
  SignatureClaim claim;
  if (auto e = read_claim(request, claim)) return *e;
  if (options_.mode == AuthMode::kPresence) return caller_for(claim.credential);
  return verify(request, claim, body_digest);
}

Caller Authenticator::caller_for(std::string_view credential) const {
  Caller c{options_.default_account, std::string(kDefaultRegion)};
  const std::vector<std::string_view> parts = split(credential, '/');
  if (parts.size() != 5) return c;
  const std::string_view key = parts[0];
  const AccessKey* known = options_.credentials ? options_.credentials->find(key) : nullptr;
  if (known != nullptr) {
    c.account = known->account;
  } else if (is_account_id(key)) {
    c.account = std::string(key);
  }
  if (!parts[2].empty()) c.region = std::string(parts[2]);
  return c;
}

std::variant<Caller, Error> Authenticator::verify(const HttpRequest& r, const SignatureClaim& c,
                                                  std::string_view body_digest) const {
  if (c.algorithm != sigv4::kAlgorithm) {
    return incomplete_signature("Unsupported AWS 'algorithm': '" + c.algorithm + "'");
  }
  // The credential scope: key id, date, region, service, terminator.
  const std::vector<std::string_view> scope = split(c.credential, '/');
  if (scope.size() != 5) {
    return incomplete_signature(
        "Credential must have exactly 5 slash-delimited elements, e.g. "
        "keyid/date/region/service/term, got '" +
        c.credential + "'");
  }
  const std::string_view key_id = scope[0], scope_date = scope[1], region = scope[2],
                         service = scope[3], terminator = scope[4];
  if (!is_region_name(region)) {
    return invalid_signature("Credential should be scoped to a valid region, not '" +
                             std::string(region) + "'. ");
  }
  if (service != kService) {
    return invalid_signature("Credential should be scoped to correct service: '" +
                             std::string(kService) + "'. ");
  }
  if (terminator != sigv4::kTerminator) {
    return invalid_signature("Credential should be scoped with a valid terminator: '" +
                             std::string(sigv4::kTerminator) + "', not '" +
                             std::string(terminator) + "'. ");
  }

  // The signing time, against the credential scope and the server's clock.
  const auto when = signing_time(c.amz_date, c.presigned ? std::string_view{} : c.http_date);
  if (!when) {
    const std::string& given = c.amz_date.empty() ? c.http_date : c.amz_date;
    return invalid_signature("Date must be in ISO-8601 'basic format'. Got '" + given +
                             "'. See http://en.wikipedia.org/wiki/ISO_8601");
  }
  if (scope_date != std::string_view(when->iso).substr(0, 8)) {
    return invalid_signature(
        "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from "
        "HTTP: '" +
        std::string(scope_date) + "' != '" + when->iso.substr(0, 8) + "', from '" + when->iso +
        "'.");
  }
  const int64_t now = clock_.now_ms();
  int64_t valid_for_ms = kMaxSkewMs;
  std::string window = "5 min.";
  if (c.presigned && !c.expires.empty()) {
    if (!all_digits(c.expires) || c.expires.size() > 7) {
      return incomplete_signature("X-Amz-Expires must be a whole number of seconds, not '" +
                                  c.expires + "'.");
    }
    valid_for_ms = std::stoll(c.expires) * 1000;
    window = c.expires + " sec.";
  }
  if (when->ms < now - valid_for_ms) {
    return invalid_signature("Signature expired: " + when->iso + " is now earlier than " +
                             iso_basic(now - valid_for_ms) + " (" + iso_basic(now) + " - " +
                             window + ")");
  }
  if (when->ms > now + kMaxSkewMs) {
    return invalid_signature("Signature not yet current: " + when->iso + " is still later than " +
                             iso_basic(now + kMaxSkewMs) + " (" + iso_basic(now) + " + 5 min.)");
  }

  bool host_signed = false;
  for (std::string_view name : split(c.signed_headers, ';')) {
    host_signed = host_signed || name == "host" || name == ":authority";
  }
  if (!host_signed) {
    return invalid_signature(
        "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.");
  }

  const AccessKey* key = options_.credentials ? options_.credentials->find(key_id) : nullptr;
  if (key == nullptr) {
    return errors::make("UnrecognizedClientException",
                        "The security token included in the request is invalid.");
  }

  const std::string_view declared = r.header("x-amz-content-sha256");
  const std::string payload_hash(declared == sigv4::kUnsignedPayload ? sigv4::kUnsignedPayload
                                                                     : body_digest);
  const std::string_view exclude = c.presigned ? "X-Amz-Signature" : "";
  const std::string key_scope = std::string(scope_date) + "/" + std::string(region) + "/" +
                                std::string(service) + "/" + std::string(terminator);
  const std::string signing_key = sigv4::signing_key(key->secret, scope_date, region, service);
  auto signs = [&](std::string_view payload, std::string* canonical, std::string* to_sign) {
    *canonical = sigv4::canonical_request_for(r, c.signed_headers, payload, exclude);
    *to_sign = sigv4::string_to_sign(when->iso, key_scope, *canonical);
    return sigv4::constant_time_equal(sigv4::signature(signing_key, *to_sign), c.signature);
  };
  std::string canonical, to_sign, unsigned_canonical, unsigned_to_sign;
  bool ok = signs(payload_hash, &canonical, &to_sign);
  // A presigned URL is made before anyone knows the body, so its payload may be unsigned.
  if (!ok && c.presigned && payload_hash != sigv4::kUnsignedPayload) {
    ok = signs(sigv4::kUnsignedPayload, &unsigned_canonical, &unsigned_to_sign);
  }
  if (!ok) {
    return invalid_signature(
        "The request signature we calculated does not match the signature you provided. Check "
        "your AWS Secret Access Key and signing method. Consult the service documentation for "
        "details.\n\nThe Canonical String for this request should have been\n'" +
        canonical + "'\n\nThe String-to-Sign should have been\n'" + to_sign + "'\n");
  }
  return Caller{key->account, std::string(region)};
}

}  // namespace kinesim::api
