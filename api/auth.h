// Who is calling: the checks Kinesis makes on a request's SigV4 signature before it looks at the
// operation, and the account and region the request then acts in.
//
// Three modes (the --auth flag):
//   off       no checks; a request acts in the account and region its credential scope names,
//             when it has one, else in the default account and us-east-1.
//   presence  (the default) a request must be signed, as Kinesis insists: a complete SigV4
//             Authorization header, or complete presigned query parameters. Nothing is verified.
//   verify    as presence, and the signature must be right for an access key in the credentials
//             file, within five minutes of the server's clock, scoped to a valid region and to
//             kinesis. The request acts in that key's account.
//
// The credentials file (--credentials) maps access key ids to secrets and accounts, one key a line:
//
//   # ACCESS_KEY_ID          SECRET_ACCESS_KEY                          ACCOUNT_ID
//   AKIDEXAMPLE              wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY   111122223333
//
// Fields are separated by spaces or tabs; blank lines and lines starting with '#' are ignored.
// In every mode a key listed there acts in its account; an unlisted key acts in the account it
// spells when it is 12 digits, else in the default account.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "api/call.h"
#include "api/error.h"
#include "api/http.h"
#include "storage/clock.h"
#include "storage/status.h"

namespace kinesim::api {

enum class AuthMode { kOff, kPresence, kVerify };

// "off", "presence" or "verify"; nullopt for anything else.
std::optional<AuthMode> parse_auth_mode(std::string_view name);

// The region of requests that name none (unsigned, under --auth off).
inline constexpr std::string_view kDefaultRegion = "us-east-1";

// Region names as AWS spells them: "us-east-1", "us-gov-west-1", "eu-isoe-west-1".
bool is_region_name(std::string_view region);

// The secret and account of one access key.
struct AccessKey {
  std::string secret;
  std::string account;
};

// The credentials file, parsed. Immutable once built, so any thread may read it.
class Credentials {
 public:
  // Parses the text of a credentials file. A bad line fails the whole file with a message that
  // names `source` and the line number (and never a secret).
  static Result<Credentials> parse(std::string_view text, std::string_view source);
  // Reads and parses the file at `path`.
  static Result<Credentials> load(const std::string& path);

  const AccessKey* find(std::string_view access_key_id) const;
  size_t size() const { return keys_.size(); }

 private:
  std::map<std::string, AccessKey, std::less<>> keys_;
};

struct AuthOptions {
  AuthMode mode = AuthMode::kPresence;
  std::shared_ptr<const Credentials> credentials;  // null: no file given
  std::string default_account = "000000000000";
};

// What a request presents as its signature (api/auth.cc).
struct SignatureClaim;

// Applies one mode's checks. Thread-safe.
class Authenticator {
 public:
  // `clock` decides whether a signature is expired; it must outlive the Authenticator.
  Authenticator(AuthOptions options, const Clock& clock);

  // The hex SHA-256 of `request`'s body as verify mode signs it; "" in the other modes, which
  // never read it. Take it before anything parses the body in place.
  std::string body_digest(const HttpRequest& request) const;

  // The caller of `request`, or the error Kinesis answers it with (status 400, as Kinesis sends
  // them in JSON; api/protocol.h renders them for requests that are not JSON). `body_digest` is
  // body_digest() of the request as it arrived.
  std::variant<Caller, Error> authenticate(const HttpRequest& request,
                                           std::string_view body_digest) const;

  AuthMode mode() const { return options_.mode; }

 private:
  std::variant<Caller, Error> verify(const HttpRequest& request, const SignatureClaim& claim,
                                     std::string_view body_digest) const;
  // The caller a credential ("AKID/20150830/us-east-1/kinesis/aws4_request") names.
  Caller caller_for(std::string_view credential) const;

  AuthOptions options_;
  const Clock& clock_;
};

}  // namespace kinesim::api
