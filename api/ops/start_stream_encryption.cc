// StartStreamEncryption: encrypts the records written from now on with a KMS key (or switches to
// another key). The stream is UPDATING for the configured delay; records keep being accepted and
// each one remembers whether it was written while the stream was encrypted.
//
// kinesim has no KMS: every key named in one of the forms Kinesis documents is taken to exist
// (a key id, a key ARN, an alias name, an alias ARN, or Kinesis' own alias/aws/kinesis); any
// other KeyId is a KMSNotFoundException, as an unknown key is in Kinesis. DescribeStream reports
// the KeyId exactly as given.
#include "api/ops/ops.h"
#include "api/streams.h"

namespace kinesim::api::ops {
namespace {

bool all_of(std::string_view s, bool (*ok)(char)) {
  for (char c : s) {
    if (!ok(c)) return false;
  }
  return true;
}

bool is_hex(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

bool is_alias_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '/' ||
         c == '_' || c == '-';
}

// 1234abcd-12ab-34cd-56ef-1234567890ab, or a multi-Region key's mrk- followed by 32 hex digits.
bool is_key_uuid(std::string_view id) {
  if (id.substr(0, 4) == "mrk-") return id.size() == 36 && all_of(id.substr(4), is_hex);
  if (id.size() != 36) return false;
  for (size_t i = 0; i < id.size(); ++i) {
    const bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash ? id[i] != '-' : !is_hex(id[i])) return false;
  }
  return true;
}

// alias/NAME: at most 256 characters of letters, digits, '/', '_' and '-'.
bool is_alias_name(std::string_view alias) {
  constexpr std::string_view kPrefix = "alias/";
  return alias.size() > kPrefix.size() && alias.size() <= 256 &&
         alias.substr(0, kPrefix.size()) == kPrefix &&
         all_of(alias.substr(kPrefix.size()), is_alias_char);
}

// arn:aws[-PARTITION]:kms:REGION:ACCOUNT:key/KEY_ID or ...:alias/NAME
bool is_kms_arn(std::string_view arn) {
  std::string_view parts[5];
  for (auto& part : parts) {
    const size_t colon = arn.find(':');
    if (colon == std::string_view::npos) return false;
    part = arn.substr(0, colon);
    arn.remove_prefix(colon + 1);
  }
  const auto is_digit = [](char c) { return c >= '0' && c <= '9'; };
  if (parts[0] != "arn" || parts[1].substr(0, 3) != "aws" || parts[2] != "kms" ||
      parts[3].empty() || parts[4].size() != 12 || !all_of(parts[4], is_digit)) {
    return false;
  }
  if (arn.substr(0, 4) == "key/") return is_key_uuid(arn.substr(4));
  return is_alias_name(arn);
}

bool is_kms_key_id(std::string_view id) {
  return is_key_uuid(id) || is_alias_name(id) || is_kms_arn(id);
}

}  // namespace

void StartStreamEncryption(Call& call) {
  if (*call.in["EncryptionType"].str() != "KMS") {
    return call.reply.fail(errors::invalid_argument("Encryption type cannot be NONE."));
  }
  std::string key_id(*call.in["KeyId"].str());
  if (!is_kms_key_id(key_id)) {
    return call.reply.fail(errors::make("KMSNotFoundException", "Invalid keyId " + key_id));
  }
  StreamKey key;
  if (auto e = stream_key(call, call.in, key)) return call.reply.fail(*e);
  change_stream(
      call, key, true,
      [key_id = std::move(key_id)](StreamInfo& stream, int64_t now) -> std::optional<Error> {
        if (auto e = require_active(stream, now)) return e;
        stream.kms_key_id = key_id;
        return std::nullopt;
      });
}

}  // namespace kinesim::api::ops
