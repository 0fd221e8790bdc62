// Errors as values. Storage reports what went wrong as a code plus the facts an API error needs;
// the api layer turns them into Kinesis' exception names and messages in one place.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <variant>

namespace kinesim {

enum class StatusCode {
  kOk,
  kNotFound,       // the stream (or shard) does not exist
  kAlreadyExists,  // a stream of that name exists
  kLimitExceeded,  // an account limit would be exceeded
  kInUse,          // the resource is not in a state that allows the change
  kInvalid,        // the request contradicts the stored state
  kInternal,       // SQLite or I/O failed; nothing was changed
};

struct Status {
  StatusCode code = StatusCode::kOk;
  std::string message;  // for kInternal: what failed; otherwise optional detail
  int64_t current = 0;  // kLimitExceeded: the amount already in use
  int64_t limit = 0;    // kLimitExceeded: the limit
  int detail = 0;       // kInUse: the state the resource is in (e.g. a StreamStatus)

  bool ok() const { return code == StatusCode::kOk; }
  static Status Ok() { return {}; }
  static Status Error(StatusCode code, std::string message = {}) {
    return Status{code, std::move(message)};
  }
};

// Either a value or a non-ok Status.
template <class T>
class Result {
 public:
  Result(T value) : v_(std::move(value)) {}         // NOLINT: implicit by design
  Result(Status status) : v_(std::move(status)) {}  // NOLINT

  bool ok() const { return v_.index() == 0; }
  T& value() { return std::get<0>(v_); }
  const T& value() const { return std::get<0>(v_); }
  const Status& status() const { return std::get<1>(v_); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() { return value(); }

 private:
  std::variant<T, Status> v_;
};

}  // namespace kinesim
