// HTTP/1.1 with keep-alive over a plain or TLS stream. A session reads a request, hands it to
// the api Dispatcher, and writes whatever answer comes back (now, or later from whichever thread
// commits the write), then reads the next one. A streamed answer is written as chunks, one per
// BodySource::on_ready(), while a read stands by to notice a client that goes away.
//
// A request is read in three steps: its first bytes (waiting for them is idleness, bounded by the
// idle timeout), its head (bounded by the head timeout from the first byte), then its body (each
// read of which counts as activity). Between head and body, a client that sent
// `Expect: 100-continue` is told to go on; any other expectation is answered 417. Requests
// pipelined behind one another wait in buffer_ and are answered in order, one at a time.
#pragma once

#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <memory>
#include <optional>
#include <string>

#include "api/dispatcher.h"
#include "server/idle_watch.h"
#include "server/wire.h"

namespace kinesim::server {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;

template <class Stream>
class Http1Session : public std::enable_shared_from_this<Http1Session<Stream>> {
 public:
  // `buffer` holds bytes already read from `stream` (by protocol detection).
  Http1Session(Stream&& stream, beast::flat_buffer&& buffer, api::Dispatcher& api,
               const wire::Timeouts& timeouts)
      : stream_(std::move(stream)),
        buffer_(std::move(buffer)),
        api_(api),
        idle_(stream_.get_executor(), timeouts.idle, timeouts.header) {}

  ~Http1Session() { cancel_stream(); }

  // Call on the stream's executor.
  void run() {
    // Idleness is watched by idle_, not by per-operation stream timeouts (which would also keep
    // the deadline protocol detection set).
    lowest().expires_never();
    idle_.start(this->weak_from_this(), [this] { lowest().close(); });
    do_read();
  }

 private:
  // Hands chunks of a streamed body to the session's executor.
  class ChunkWriter final : public api::BodyWriter {
   public:
    explicit ChunkWriter(std::weak_ptr<Http1Session> session) : session_(std::move(session)) {}
    void write(std::string chunk) override {
      if (auto s = session_.lock()) {
        net::post(s->stream_.get_executor(),
                  [s, chunk = std::move(chunk)]() mutable { s->write_chunk(std::move(chunk)); });
      }
    }
    void finish() override {
      if (auto s = session_.lock()) {
        net::post(s->stream_.get_executor(), [s] { s->finish_stream(); });
      }
    }

   private:
    std::weak_ptr<Http1Session> session_;
  };

  auto self() { return this->shared_from_this(); }
  auto& lowest() { return beast::get_lowest_layer(stream_); }

  void do_read() {
    parser_.emplace();
    parser_->body_limit(wire::kMaxRequestBodyBytes);
    parser_->header_limit(wire::kMaxHeaderBytes);
    idle_.touch();
    if (buffer_.size() > 0) return read_head();  // pipelined, or read by protocol detection
    stream_.async_read_some(buffer_.prepare(kFirstReadBytes),
                            beast::bind_front_handler(&Http1Session::on_first_bytes, self()));
  }

  void on_first_bytes(beast::error_code ec, std::size_t n) {
    if (ec) return;  // the client closed (or reset) between requests, or the watch closed it
    buffer_.commit(n);
    read_head();
  }

  void read_head() {
    idle_.head_started();
    http::async_read_header(stream_, buffer_, *parser_,
                            beast::bind_front_handler(&Http1Session::on_head, self()));
  }

  void on_head(beast::error_code ec, std::size_t) {
    idle_.head_done();
    if (ec) return on_read(ec, 0);
    const Expectation expect = expectation_of(parser_->get());
    if (expect == Expectation::kOther) {
      // An expectation kinesim cannot meet: 417 (RFC 9110, section 10.1.1), without the body,
      // which the client may still be sending, so the connection closes after the answer.
      keep_alive_ = false;
      version_ = parser_->get().version();
      return send(api::HttpResponse{417, "", ""});
    }
    if (parser_->is_done()) return on_read(ec, 0);
    if (expect == Expectation::kContinue) {
      // The client waits for this before it sends the body (RFC 9110, section 10.1.1).
      idle_.touch();
      return net::async_write(stream_, net::buffer(kContinue.data(), kContinue.size()),
                              [s = self()](beast::error_code ec, std::size_t) {
                                if (ec) return;
                                s->read_body();
                              });
    }
    read_body();
  }

  // What a request's Expect field asks for (HTTP/1.0 requests have no expectations).
  enum class Expectation { kNone, kContinue, kOther };
  static Expectation expectation_of(
      const http::request_parser<http::string_body>::value_type& req) {
    if (req.version() < 11) return Expectation::kNone;
    const auto it = req.find(http::field::expect);
    if (it == req.end()) return Expectation::kNone;
    return beast::iequals(it->value(), "100-continue") ? Expectation::kContinue
                                                       : Expectation::kOther;
  }

  // Reads the body a piece at a time, so a long upload that keeps moving is not idle.
  void read_body() {
    idle_.touch();
    http::async_read_some(stream_, buffer_, *parser_,
                          beast::bind_front_handler(&Http1Session::on_body, self()));
  }

  void on_body(beast::error_code ec, std::size_t) {
    if (!ec && !parser_->is_done()) return read_body();
    on_read(ec, 0);
  }

  // A request's method, target and headers, as the api layer takes them.
  template <class Message>
  static api::HttpRequest head_of(const Message& req) {
    api::HttpRequest r;
    r.method = std::string(req.method_string());
    r.target = std::string(req.target());
    r.headers.reserve(8);
    for (const auto& field : req) {
      r.headers.push_back({wire::lower(field.name_string()), std::string(field.value())});
    }
    return r;
  }

  void on_read(beast::error_code ec, std::size_t) {
    if (ec == http::error::end_of_stream) return close();
    if (ec == http::error::body_limit) {
      // The head was read: the answer is in the format it names.
      keep_alive_ = false;
      version_ = parser_->get().version();
      return send(wire::body_too_large(head_of(parser_->get())));
    }
    if (ec) return;  // reset, timeout or malformed HTTP: drop the connection
    auto& req = parser_->get();
    keep_alive_ = req.keep_alive();
    version_ = req.version();
    api::HttpRequest r = head_of(req);
    r.body = std::move(req.body());
    api_.handle(std::move(r), [s = self()](api::HttpResponse resp) {
      net::dispatch(s->stream_.get_executor(),
                    [s, resp = std::move(resp)]() mutable { s->send(std::move(resp)); });
    });
  }

  template <class Message>
  void set_head(Message& m, api::HttpResponse& r) {
    m.version(version_);
    m.result(static_cast<http::status>(r.status));
    if (!r.content_type.empty()) m.set(http::field::content_type, r.content_type);
    m.set("x-amzn-RequestId", wire::request_id());
    if (r.amz_id_2) m.set("x-amz-id-2", wire::amz_id_2());
    for (auto& h : r.headers) m.set(h.name, h.value);
    m.keep_alive(keep_alive_);
  }

  void send(api::HttpResponse r) {
    if (r.stream) return start_stream(std::move(r));
    res_ = {};
    set_head(res_, r);
    res_.body() = std::move(r.body);
    res_.prepare_payload();
    idle_.touch();
    http::async_write(stream_, res_, beast::bind_front_handler(&Http1Session::on_write, self()));
  }

  void on_write(beast::error_code ec, std::size_t) {
    if (ec) return;
    if (!keep_alive_) return close();
    do_read();
  }

  // --- streamed bodies ------------------------------------------------------------------------

  void start_stream(api::HttpResponse r) {
    source_ = std::move(r.stream);
    head_.emplace();
    set_head(*head_, r);
    head_->chunked(true);
    serializer_.emplace(*head_);
    idle_.touch();
    http::async_write_header(stream_, *serializer_,
                             beast::bind_front_handler(&Http1Session::on_head_written, self()));
  }

  void on_head_written(beast::error_code ec, std::size_t) {
    if (ec || !source_) return cancel_stream();
    writer_ = std::make_shared<ChunkWriter>(this->weak_from_this());
    watch_for_close();
    source_->on_ready(writer_);
  }

  // While the body streams, a read stands by: a closed connection ends the stream at once, and
  // whatever the client sends next waits in buffer_ for the next request.
  void watch_for_close() {
    if (watching_) return;
    watching_ = true;
    stream_.async_read_some(buffer_.prepare(4096),
                            beast::bind_front_handler(&Http1Session::on_watch, self()));
  }

  void on_watch(beast::error_code ec, std::size_t n) {
    watching_ = false;
    if (ec) return cancel_stream();
    buffer_.commit(n);
    if (source_) {
      // A pipelined request: keep it, and stop reading until the stream ends.
      if (buffer_.size() < wire::kMaxHeaderBytes) watch_for_close();
      return;
    }
    if (resume_after_watch_) {
      resume_after_watch_ = false;
      do_read();
    }
  }

  void write_chunk(std::string chunk) {
    if (!source_ || chunk_writing_) return;
    if (chunk.empty()) {
      // An empty chunk would end the body; there is nothing to send, so ask for more.
      return source_->on_ready(writer_);
    }
    chunk_ = std::move(chunk);
    chunk_writing_ = true;
    idle_.touch();
    net::async_write(stream_, http::make_chunk(net::buffer(chunk_)),
                     beast::bind_front_handler(&Http1Session::on_chunk_written, self()));
  }

  void on_chunk_written(beast::error_code ec, std::size_t) {
    chunk_writing_ = false;
    chunk_.clear();
    if (ec) return cancel_stream();
    if (finish_pending_) return finish_stream();
    if (source_) source_->on_ready(writer_);
  }

  void finish_stream() {
    if (!source_) return;
    if (chunk_writing_) {
      finish_pending_ = true;
      return;
    }
    finish_pending_ = false;
    source_.reset();
    writer_.reset();
    idle_.touch();
    net::async_write(stream_, http::make_chunk_last(),
                     beast::bind_front_handler(&Http1Session::on_last_chunk, self()));
  }

  void on_last_chunk(beast::error_code ec, std::size_t) {
    head_.reset();
    serializer_.reset();
    if (ec) return;
    if (!keep_alive_) return close();
    if (watching_) {
      // The standing read becomes the read of the next request.
      resume_after_watch_ = true;
      return;
    }
    do_read();
  }

  void cancel_stream() {
    writer_.reset();
    if (auto s = std::move(source_)) s->on_cancel();
  }

  void close() {
    beast::error_code ec;
    lowest().socket().shutdown(net::ip::tcp::socket::shutdown_send, ec);
  }

  // The first read of a request takes what is there, up to this much; the parser reads on.
  static constexpr size_t kFirstReadBytes = 16 * 1024;
  static constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";

  Stream stream_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  http::response<http::string_body> res_;
  api::Dispatcher& api_;
  IdleWatch idle_;
  bool keep_alive_ = true;
  unsigned version_ = 11;

  // A streamed body in progress.
  std::shared_ptr<api::BodySource> source_;
  std::shared_ptr<ChunkWriter> writer_;
  std::optional<http::response<http::empty_body>> head_;
  std::optional<http::response_serializer<http::empty_body>> serializer_;
  std::string chunk_;
  bool chunk_writing_ = false;
  bool finish_pending_ = false;
  bool watching_ = false;
  bool resume_after_watch_ = false;
};

}  // namespace kinesim::server
