// StopStreamEncryption: records written from now on are not encrypted; those written before keep
// their EncryptionType. The stream is UPDATING for the configured delay.
//
// The request names the key the stream is encrypted with, as Kinesis' documentation asks; kinesim
// refuses a stream that is not encrypted and a KeyId other than the one StartStreamEncryption was
// given (compared as written: kinesim cannot tell that an alias and a key ARN are the same key).
#include "api/ops/ops.h"
#include "api/streams.h"

namespace kinesim::api::ops {

void StopStreamEncryption(Call& call) {
  if (*call.in["EncryptionType"].str() != "KMS") {
    return call.reply.fail(errors::invalid_argument("Encryption type cannot be NONE."));
  }
  std::string key_id(*call.in["KeyId"].str());
  StreamKey key;
  if (auto e = stream_key(call, call.in, key)) return call.reply.fail(*e);
  change_stream(
      call, key, true,
      [key_id = std::move(key_id)](StreamInfo& stream, int64_t now) -> std::optional<Error> {
        if (auto e = require_active(stream, now)) return e;
        const std::string where =
            "stream " + stream.key.name + " under account " + stream.key.account;
        if (!stream.encrypted()) {
          return errors::invalid_argument("Server-side encryption is not enabled on " + where +
                                          ".");
        }
        if (stream.kms_key_id != key_id) {
          return errors::invalid_argument("KeyId " + key_id + " is not the key that encrypts " +
                                          where + ".");
        }
        stream.kms_key_id.clear();
        return std::nullopt;
      });
}

}  // namespace kinesim::api::ops
