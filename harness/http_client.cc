#include "harness/http_client.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/uio.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <ctime>

namespace kinesim::harness {
namespace {

// Thrown when a connection turned out to be closed before any byte of the response arrived:
// the one failure after which sending the request again cannot repeat an answered request.
class StaleConnection : public HttpError {
 public:
  using HttpError::HttpError;
};

// Headers larger than this are not a Kinesis endpoint talking; refuse rather than buffer.
constexpr size_t kMaxHeadBytes = 64 * 1024;
// Kinesis responses are at most ~10 MiB (GetRecords); anything far beyond is a framing error.
constexpr size_t kMaxBodyBytes = 256 * 1024 * 1024;
constexpr size_t kReadChunk = 64 * 1024;

// The signature is never checked by local servers; it only has to look like SigV4's.
constexpr std::string_view kPlaceholderSignature =
    "6b696e6573696d2d62656e63682d706c616365686f6c6465722d7369676e6174";

char AsciiLower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c; }

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (AsciiLower(a[i]) != AsciiLower(b[i])) return false;
  }
  return true;
}

// True when the comma-separated header value `list` has `token` as one of its elements.
bool HasToken(std::string_view list, std::string_view token) {
  while (!list.empty()) {
    size_t comma = list.find(',');
    std::string_view item = list.substr(0, comma);
    while (!item.empty() && (item.front() == ' ' || item.front() == '\t')) item.remove_prefix(1);
    while (!item.empty() && (item.back() == ' ' || item.back() == '\t')) item.remove_suffix(1);
    if (EqualsIgnoreCase(item, token)) return true;
    if (comma == std::string_view::npos) break;
    list.remove_prefix(comma + 1);
  }
  return false;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

std::string StripBrackets(std::string_view host) {
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  return std::string(host);
}

std::string ErrnoText(std::string_view what, int err) {
  std::string s(what);
  s += ": ";
  s += std::strerror(err);
  return s;
}

}  // namespace

std::string_view HttpResponse::header(std::string_view name) const {
  for (const HttpHeader& h : headers) {
    if (EqualsIgnoreCase(h.name, name)) return h.value;
  }
  return {};
}

Endpoint ParseEndpoint(std::string_view url) {
  constexpr std::string_view kScheme = "http://";
  if (url.substr(0, kScheme.size()) != kScheme) {
    throw std::invalid_argument("endpoint must start with http://: " + std::string(url));
  }
  std::string_view rest = url.substr(kScheme.size());
  if (!rest.empty() && rest.back() == '/') rest.remove_suffix(1);
  size_t colon;
  if (!rest.empty() && rest.front() == '[') {
    size_t close = rest.find(']');
    if (close == std::string_view::npos || close + 1 >= rest.size() || rest[close + 1] != ':') {
      throw std::invalid_argument("endpoint needs [IPv6]:PORT: " + std::string(url));
    }
    colon = close + 1;
  } else {
    colon = rest.rfind(':');
  }
  if (colon == std::string_view::npos || colon == 0) {
    throw std::invalid_argument("endpoint needs HOST:PORT: " + std::string(url));
  }
  std::string_view port_text = rest.substr(colon + 1);
  unsigned port = 0;
  auto [end, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (ec != std::errc() || end != port_text.data() + port_text.size() || port == 0 ||
      port > 65535) {
    throw std::invalid_argument("endpoint has a bad port: " + std::string(url));
  }
  return Endpoint{StripBrackets(rest.substr(0, colon)), static_cast<uint16_t>(port)};
}

bool IsLoopbackHost(std::string_view host_in) {
  std::string host = StripBrackets(host_in);
  if (EqualsIgnoreCase(host, "localhost")) return true;
  in_addr v4{};
  if (inet_pton(AF_INET, host.c_str(), &v4) == 1) {
    return (ntohl(v4.s_addr) >> 24) == 127;
  }
  in6_addr v6{};
  if (inet_pton(AF_INET6, host.c_str(), &v6) == 1) {
    return IN6_IS_ADDR_LOOPBACK(&v6);
  }
  return false;
}

HttpClient::HttpClient(std::string host, uint16_t port, Options options)
    : host_(StripBrackets(host)), port_(port), options_(options) {
  std::string numeric = EqualsIgnoreCase(host_, "localhost") ? "127.0.0.1" : host_;
  auto* v4 = reinterpret_cast<sockaddr_in*>(&addr_);
  auto* v6 = reinterpret_cast<sockaddr_in6*>(&addr_);
  if (inet_pton(AF_INET, numeric.c_str(), &v4->sin_addr) == 1) {
    v4->sin_family = AF_INET;
    v4->sin_port = htons(port_);
    addr_len_ = sizeof(sockaddr_in);
    host_header_ = host_ + ":" + std::to_string(port_);
  } else if (inet_pton(AF_INET6, numeric.c_str(), &v6->sin6_addr) == 1) {
    v6->sin6_family = AF_INET6;
    v6->sin6_port = htons(port_);
    addr_len_ = sizeof(sockaddr_in6);
    host_header_ = "[" + host_ + "]:" + std::to_string(port_);
  } else {
    throw HttpError("host must be localhost or a numeric address: " + host_);
  }
  wbuf_.reserve(1024);
  rbuf_.reserve(kReadChunk * 2);
  head_.reserve(1024);
  response_.headers.reserve(16);
}

HttpClient::~HttpClient() { close(); }

HttpClient::HttpClient(HttpClient&& other) noexcept { *this = std::move(other); }

HttpClient& HttpClient::operator=(HttpClient&& other) noexcept {
  if (this == &other) return *this;
  close();
  host_ = std::move(other.host_);
  port_ = other.port_;
  options_ = other.options_;
  addr_ = other.addr_;
  addr_len_ = other.addr_len_;
  host_header_ = std::move(other.host_header_);
  fd_ = std::exchange(other.fd_, -1);
  keep_alive_ = other.keep_alive_;
  connect_count_ = other.connect_count_;
  wbuf_ = std::move(other.wbuf_);
  rbuf_ = std::move(other.rbuf_);
  rpos_ = std::exchange(other.rpos_, 0);
  head_ = std::move(other.head_);
  // The header views point into head_, which a move may relocate (short strings); drop them.
  response_ = std::move(other.response_);
  response_.headers.clear();
  date_second_ = -1;
  return *this;
}

void HttpClient::close() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
  rbuf_.clear();
  rpos_ = 0;
}

void HttpClient::Connect() {
  close();
  int fd = ::socket(addr_.ss_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (fd < 0) throw HttpError(ErrnoText("socket", errno));
  auto fail = [&](std::string_view what, int err) {
    ::close(fd);
    throw HttpError(ErrnoText(std::string(what) + " " + host_header_, err));
  };
  if (::connect(fd, reinterpret_cast<const sockaddr*>(&addr_), addr_len_) != 0) {
    if (errno != EINPROGRESS) fail("connect", errno);
    pollfd p{fd, POLLOUT, 0};
    int ready;
    do {
      ready = ::poll(&p, 1, static_cast<int>(options_.connect_timeout.count()));
    } while (ready < 0 && errno == EINTR);
    if (ready == 0) fail("connect", ETIMEDOUT);
    if (ready < 0) fail("poll", errno);
    int err = 0;
    socklen_t len = sizeof(err);
    ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len);
    if (err != 0) fail("connect", err);
  }
  // Blocking I/O with kernel timeouts keeps the request path to one syscall per direction.
  int flags = ::fcntl(fd, F_GETFL);
  ::fcntl(fd, F_SETFL, flags & ~O_NONBLOCK);
  int one = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
  timeval tv{};
  tv.tv_sec = static_cast<time_t>(options_.io_timeout.count() / 1000);
  tv.tv_usec = static_cast<suseconds_t>((options_.io_timeout.count() % 1000) * 1000);
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
  ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
  fd_ = fd;
  keep_alive_ = true;
  ++connect_count_;
}

bool HttpClient::IdleConnectionLooksClosed() const {
  // Between requests a healthy connection has nothing to read. Readable means the server sent
  // FIN (idle timeout), RST, or unsolicited bytes (e.g. a 408); in each case start afresh.
  pollfd p{fd_, POLLIN, 0};
  return ::poll(&p, 1, 0) > 0;
}

void HttpClient::UpdateDate() {
  time_t now = ::time(nullptr);
  if (now == date_second_) return;
  date_second_ = now;
  tm utc{};
  ::gmtime_r(&now, &utc);
  ::strftime(amz_date_, sizeof(amz_date_), "%Y%m%dT%H%M%SZ", &utc);
}

void HttpClient::StartRequest(std::string_view method, std::string_view path, size_t body_size) {
  wbuf_.clear();
  wbuf_.append(method).append(" ").append(path).append(" HTTP/1.1\r\nHost: ").append(host_header_);
  char digits[24];
  auto [end, ec] = std::to_chars(digits, digits + sizeof(digits), body_size);
  (void)ec;
  wbuf_.append("\r\nContent-Length: ").append(digits, end).append("\r\n");
}

const HttpResponse& HttpClient::send(std::string_view method, std::string_view path,
                                     std::span<const HttpHeader> headers, std::string_view body) {
  StartRequest(method, path, body.size());
  for (const HttpHeader& h : headers) {
    wbuf_.append(h.name).append(": ").append(h.value).append("\r\n");
  }
  wbuf_.append("\r\n");
  return Exchange(body);
}

const HttpResponse& HttpClient::call(std::string_view operation, std::string_view json_body) {
  UpdateDate();
  std::string_view date(amz_date_, 16);
  StartRequest("POST", "/", json_body.size());
  wbuf_.append("X-Amz-Target: Kinesis_20131202.").append(operation);
  wbuf_.append("\r\nContent-Type: application/x-amz-json-1.1\r\nX-Amz-Date: ").append(date);
  wbuf_.append("\r\nAuthorization: AWS4-HMAC-SHA256 Credential=test/").append(date.substr(0, 8));
  wbuf_.append(
      "/us-east-1/kinesis/aws4_request, "
      "SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature=");
  wbuf_.append(kPlaceholderSignature).append("\r\n\r\n");
  return Exchange(json_body);
}

const HttpResponse& HttpClient::Exchange(std::string_view body) {
  for (int attempt = 0;; ++attempt) {
    bool reused = fd_ >= 0;
    if (reused && IdleConnectionLooksClosed()) {
      close();
      reused = false;
    }
    if (fd_ < 0) Connect();
    rbuf_.clear();
    rpos_ = 0;
    bool got_any = false;
    try {
      SendAll(wbuf_, body);
      ReadResponse(&got_any);
    } catch (const StaleConnection&) {
      close();
      // A fresh connection that fails this way is a server problem, not a stale keep-alive.
      if (reused && !got_any && attempt == 0) continue;
      throw HttpError("connection closed by " + host_header_ + " before a response");
    } catch (...) {
      close();
      throw;
    }
    if (!keep_alive_) close();
    return response_;
  }
}

void HttpClient::SendAll(std::string_view head, std::string_view body) {
  iovec iov[2] = {{const_cast<char*>(head.data()), head.size()},
                  {const_cast<char*>(body.data()), body.size()}};
  msghdr msg{};
  msg.msg_iov = iov;
  msg.msg_iovlen = body.empty() ? 1 : 2;
  size_t left = head.size() + body.size();
  while (left > 0) {
    ssize_t n = ::sendmsg(fd_, &msg, MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno == EPIPE || errno == ECONNRESET) throw StaleConnection("send");
      if (errno == EAGAIN || errno == EWOULDBLOCK) {
        throw HttpError("send to " + host_header_ + ": timed out");
      }
      throw HttpError(ErrnoText("send to " + host_header_, errno));
    }
    left -= static_cast<size_t>(n);
    // Advance past what was written, across the two buffers.
    size_t done = static_cast<size_t>(n);
    while (done > 0 && msg.msg_iovlen > 0) {
      if (done >= msg.msg_iov[0].iov_len) {
        done -= msg.msg_iov[0].iov_len;
        ++msg.msg_iov;
        --msg.msg_iovlen;
      } else {
        msg.msg_iov[0].iov_base = static_cast<char*>(msg.msg_iov[0].iov_base) + done;
        msg.msg_iov[0].iov_len -= done;
        done = 0;
      }
    }
  }
}

bool HttpClient::Fill() {
  if (rpos_ == rbuf_.size()) {
    rbuf_.clear();
    rpos_ = 0;
  } else if (rpos_ > kReadChunk) {
    rbuf_.erase(0, rpos_);
    rpos_ = 0;
  }
  size_t old = rbuf_.size();
  rbuf_.resize(old + kReadChunk);
  for (;;) {
    ssize_t n = ::recv(fd_, rbuf_.data() + old, kReadChunk, 0);
    if (n > 0) {
      rbuf_.resize(old + static_cast<size_t>(n));
      return true;
    }
    rbuf_.resize(old);
    if (n == 0) return false;
    if (errno == EINTR) {
      rbuf_.resize(old + kReadChunk);
      continue;
    }
    if (errno == ECONNRESET) return false;
    if (errno == EAGAIN || errno == EWOULDBLOCK) {
      throw HttpError("read from " + host_header_ + ": timed out");
    }
    throw HttpError(ErrnoText("read from " + host_header_, errno));
  }
}

std::string_view HttpClient::ReadLine(size_t* next) {
  for (;;) {
    size_t eol = rbuf_.find("\r\n", rpos_);
    if (eol != std::string::npos) {
      *next = eol + 2;
      return std::string_view(rbuf_).substr(rpos_, eol - rpos_);
    }
    if (rbuf_.size() - rpos_ > kMaxHeadBytes) throw HttpError("line too long in response");
    if (!Fill()) throw HttpError("connection closed inside a chunked body");
  }
}

void HttpClient::ReadResponse(bool* got_any) {
  for (;;) {
    // Status line and headers.
    size_t end;
    while ((end = rbuf_.find("\r\n\r\n", rpos_)) == std::string::npos) {
      if (rbuf_.size() - rpos_ > kMaxHeadBytes) throw HttpError("response headers too large");
      if (!Fill()) {
        if (!*got_any) throw StaleConnection("closed before response");
        throw HttpError("connection closed inside response headers");
      }
      *got_any = true;
    }
    head_.assign(rbuf_, rpos_, end + 2 - rpos_);
    rpos_ = end + 4;

    std::string_view head(head_);
    size_t eol = head.find("\r\n");
    std::string_view status_line = head.substr(0, eol);
    head.remove_prefix(eol + 2);
    if (status_line.size() < 12 || status_line.substr(0, 7) != "HTTP/1." || status_line[8] != ' ') {
      throw HttpError("not an HTTP/1.x response: " + std::string(status_line.substr(0, 64)));
    }
    bool http10 = status_line[7] == '0';
    int status = 0;
    auto [p, ec] = std::from_chars(status_line.data() + 9, status_line.data() + 12, status);
    if (ec != std::errc() || p != status_line.data() + 12) {
      throw HttpError("bad status line: " + std::string(status_line.substr(0, 64)));
    }

    response_.status = status;
    response_.headers.clear();
    response_.body.clear();
    bool chunked = false;
    bool have_length = false;
    size_t length = 0;
    keep_alive_ = !http10;
    while (!head.empty()) {
      eol = head.find("\r\n");
      std::string_view line = head.substr(0, eol);
      head.remove_prefix(eol == std::string_view::npos ? head.size() : eol + 2);
      size_t colon = line.find(':');
      if (colon == std::string_view::npos) throw HttpError("malformed response header");
      HttpHeader h{line.substr(0, colon), Trim(line.substr(colon + 1))};
      response_.headers.push_back(h);
      if (EqualsIgnoreCase(h.name, "content-length")) {
        auto [q, lec] = std::from_chars(h.value.data(), h.value.data() + h.value.size(), length);
        if (lec != std::errc() || q != h.value.data() + h.value.size()) {
          throw HttpError("bad Content-Length");
        }
        have_length = true;
      } else if (EqualsIgnoreCase(h.name, "transfer-encoding")) {
        chunked = HasToken(h.value, "chunked");
      } else if (EqualsIgnoreCase(h.name, "connection")) {
        if (HasToken(h.value, "close")) keep_alive_ = false;
        if (HasToken(h.value, "keep-alive")) keep_alive_ = true;
      }
    }

    // Interim responses (100 Continue and the like) precede the real one.
    if (status >= 100 && status < 200 && status != 101) continue;

    if (status == 204 || status == 304) return;
    if (chunked) {
      ReadChunkedBody();
    } else if (have_length) {
      if (length > kMaxBodyBytes) throw HttpError("response body too large");
      ReadBodyBytes(length);
    } else {
      ReadUntilEof();
    }
    return;
  }
}

void HttpClient::ReadBodyBytes(size_t n) {
  std::string& body = response_.body;
  size_t take = std::min(n, rbuf_.size() - rpos_);
  body.append(rbuf_, rpos_, take);
  rpos_ += take;
  n -= take;
  if (n == 0) return;
  // Large remainders go straight into the body, skipping the read buffer.
  size_t at = body.size();
  body.resize(at + n);
  while (n > 0) {
    ssize_t got = ::recv(fd_, body.data() + at, n, 0);
    if (got > 0) {
      at += static_cast<size_t>(got);
      n -= static_cast<size_t>(got);
      continue;
    }
    if (got < 0 && errno == EINTR) continue;
    if (got < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      throw HttpError("read from " + host_header_ + ": timed out");
    }
    throw HttpError("connection closed inside response body");
  }
}

void HttpClient::ReadChunkedBody() {
  for (;;) {
    size_t next;
    std::string_view line = ReadLine(&next);
    size_t semi = line.find(';');
    std::string_view hex = Trim(line.substr(0, semi));
    size_t size = 0;
    auto [p, ec] = std::from_chars(hex.data(), hex.data() + hex.size(), size, 16);
    if (ec != std::errc() || p != hex.data() + hex.size()) throw HttpError("bad chunk size");
    rpos_ = next;
    if (size == 0) {
      // Trailer fields, ended by an empty line.
      for (;;) {
        std::string_view trailer = ReadLine(&next);
        rpos_ = next;
        if (trailer.empty()) return;
      }
    }
    if (response_.body.size() + size > kMaxBodyBytes) throw HttpError("response body too large");
    ReadBodyBytes(size);
    std::string_view crlf = ReadLine(&next);
    if (!crlf.empty()) throw HttpError("chunk not followed by CRLF");
    rpos_ = next;
  }
}

void HttpClient::ReadUntilEof() {
  keep_alive_ = false;
  std::string& body = response_.body;
  body.append(rbuf_, rpos_, rbuf_.size() - rpos_);
  rpos_ = rbuf_.size();
  while (Fill()) {
    if (body.size() + rbuf_.size() - rpos_ > kMaxBodyBytes) {
      throw HttpError("response body too large");
    }
    body.append(rbuf_, rpos_, rbuf_.size() - rpos_);
    rpos_ = rbuf_.size();
  }
}

}  // namespace kinesim::harness
