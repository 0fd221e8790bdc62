// An error as Kinesis reports it on the wire: an exception name, a message and an HTTP status.
// Every error kinesim returns is built here or from these factories, so names and messages
// have one home.
#pragma once

#include <string>
#include <string_view>

namespace kinesim::api {

struct Error {
  std::string type;     // e.g. "ResourceNotFoundException"
  std::string message;  // may be empty: then the body carries no "message" member
  int http_status = 400;
};

namespace errors {

inline Error make(std::string_view type, std::string message, int status = 400) {
  return Error{std::string(type), std::move(message), status};
}
inline Error validation(std::string message) {
  return make("ValidationException", std::move(message));
}
inline Error serialization(std::string message) {
  return make("SerializationException", std::move(message));
}
inline Error invalid_argument(std::string message) {
  return make("InvalidArgumentException", std::move(message));
}
inline Error resource_not_found(std::string message) {
  return make("ResourceNotFoundException", std::move(message));
}
inline Error resource_in_use(std::string message) {
  return make("ResourceInUseException", std::move(message));
}
inline Error limit_exceeded(std::string message) {
  return make("LimitExceededException", std::move(message));
}
inline Error expired_iterator(std::string message) {
  return make("ExpiredIteratorException", std::move(message));
}
inline Error expired_next_token(std::string message) {
  return make("ExpiredNextTokenException", std::move(message));
}
inline Error internal(std::string message) {
  return make("InternalFailure", std::move(message), 500);
}

}  // namespace errors
}  // namespace kinesim::api
