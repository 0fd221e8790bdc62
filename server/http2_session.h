// HTTP/2 over a plain (h2c, prior knowledge) or TLS (ALPN "h2") stream. nghttp2 does the
// framing, HPACK and flow control; this class moves bytes between it and the socket, turns each
// request stream into an api::HttpRequest, and answers it with HEADERS and DATA frames. Many
// requests run at once on one connection. A streamed body is DATA frames fed one chunk per
// BodySource::on_ready(); a reset stream or a closed connection cancels it.
//
// A request's header block (HEADERS and any CONTINUATION frames, which no other frame may come
// between) must arrive whole within the head timeout of its first frame, as an HTTP/1.1 head
// must: a client trickling a header block cannot hold the connection for the idle period.
#pragma once

#include <nghttp2/nghttp2.h>

#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/beast/core.hpp>
#include <cstring>
#include <deque>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "api/dispatcher.h"
#include "server/idle_watch.h"
#include "server/wire.h"

namespace kinesim::server {

namespace beast = boost::beast;
namespace net = boost::asio;

// Settings kinesim announces: enough concurrent streams for a busy SDK client, and windows
// large enough that a 10 MiB PutRecords is not held up by flow control.
constexpr uint32_t kH2MaxConcurrentStreams = 256;
constexpr int32_t kH2StreamWindow = 16 * 1024 * 1024;
constexpr int32_t kH2ConnectionWindow = 64 * 1024 * 1024;

template <class Stream>
class Http2Session : public std::enable_shared_from_this<Http2Session<Stream>> {
 public:
  // `buffer` holds bytes already read from `stream` (the client's connection preface).
  Http2Session(Stream&& stream, beast::flat_buffer&& buffer, api::Dispatcher& api,
               const wire::Timeouts& timeouts)
      : stream_(std::move(stream)),
        in_(std::move(buffer)),
        api_(api),
        idle_(stream_.get_executor(), timeouts.idle, timeouts.header) {}

  ~Http2Session() {
    cancel_all();
    if (session_) nghttp2_session_del(session_);
  }

  // Call on the stream's executor.
  void run() {
    // Idleness is watched by idle_, not by per-operation stream timeouts (which would also keep
    // the deadline protocol detection set).
    lowest().expires_never();
    idle_.start(this->weak_from_this(), [this] { lowest().close(); });
    if (!start()) return close();
    // Bytes read while detecting the protocol are the start of the client's preface.
    if (in_.size() > 0 && !feed()) return close();
    flush();
    do_read();
  }

 private:
  struct RequestStream {
    api::HttpRequest request;
    bool too_large = false;
    bool dispatched = false;  // the whole request arrived and went to the api
    bool answered = false;
    // A finished body, sent from `offset`.
    std::string body;
    size_t offset = 0;
    // A streamed body: chunks waiting for DATA frames.
    std::shared_ptr<api::BodySource> source;
    std::shared_ptr<api::BodyWriter> writer;
    std::deque<std::string> chunks;
    size_t chunk_offset = 0;
    bool finished = false;
    bool deferred = false;  // nghttp2 is waiting for resume_data
    bool ready_owed = false;
  };

  class DataWriter final : public api::BodyWriter {
   public:
    DataWriter(std::weak_ptr<Http2Session> session, int32_t id)
        : session_(std::move(session)), id_(id) {}
    void write(std::string chunk) override {
      if (auto s = session_.lock()) {
        net::post(s->stream_.get_executor(), [s, id = id_, chunk = std::move(chunk)]() mutable {
          s->write_chunk(id, std::move(chunk));
        });
      }
    }
    void finish() override {
      if (auto s = session_.lock()) {
        net::post(s->stream_.get_executor(), [s, id = id_] { s->finish_stream(id); });
      }
    }

   private:
    std::weak_ptr<Http2Session> session_;
    int32_t id_;
  };

  static Http2Session* of(void* user_data) { return static_cast<Http2Session*>(user_data); }
  auto self() { return this->shared_from_this(); }
  auto& lowest() { return beast::get_lowest_layer(stream_); }

  RequestStream* find(int32_t id) {
    auto it = streams_.find(id);
    return it == streams_.end() ? nullptr : it->second.get();
  }

  bool start() {
    nghttp2_session_callbacks* cb = nullptr;
    if (nghttp2_session_callbacks_new(&cb) != 0) return false;
    nghttp2_session_callbacks_set_on_begin_headers_callback(cb, &Http2Session::on_begin_headers);
    nghttp2_session_callbacks_set_on_header_callback(cb, &Http2Session::on_header);
    nghttp2_session_callbacks_set_on_data_chunk_recv_callback(cb, &Http2Session::on_data_chunk);
    nghttp2_session_callbacks_set_on_frame_recv_callback(cb, &Http2Session::on_frame_recv);
    nghttp2_session_callbacks_set_on_stream_close_callback(cb, &Http2Session::on_stream_close);
    const int rv = nghttp2_session_server_new(&session_, cb, this);
    nghttp2_session_callbacks_del(cb);
    if (rv != 0) return false;
    const nghttp2_settings_entry settings[] = {
        {NGHTTP2_SETTINGS_MAX_CONCURRENT_STREAMS, kH2MaxConcurrentStreams},
        {NGHTTP2_SETTINGS_INITIAL_WINDOW_SIZE, static_cast<uint32_t>(kH2StreamWindow)},
        {NGHTTP2_SETTINGS_MAX_HEADER_LIST_SIZE, wire::kMaxHeaderBytes},
    };
    if (nghttp2_submit_settings(session_, NGHTTP2_FLAG_NONE, settings, std::size(settings)) != 0) {
      return false;
    }
    return nghttp2_session_set_local_window_size(session_, NGHTTP2_FLAG_NONE, 0,
                                                 kH2ConnectionWindow) == 0;
  }

  // --- nghttp2 callbacks (run inside feed(), on the session's executor) ------------------------

  static int on_begin_headers(nghttp2_session*, const nghttp2_frame* frame, void* user_data) {
    if (frame->hd.type != NGHTTP2_HEADERS || frame->headers.cat != NGHTTP2_HCAT_REQUEST) return 0;
    Http2Session* self = of(user_data);
    self->streams_[frame->hd.stream_id] = std::make_unique<RequestStream>();
    self->idle_.head_started();
    self->head_stream_ = frame->hd.stream_id;
    return 0;
  }

  static int on_header(nghttp2_session*, const nghttp2_frame* frame, const uint8_t* name,
                       size_t namelen, const uint8_t* value, size_t valuelen, uint8_t,
                       void* user_data) {
    RequestStream* s = of(user_data)->find(frame->hd.stream_id);
    if (!s || frame->hd.type != NGHTTP2_HEADERS) return 0;
    const std::string_view n(reinterpret_cast<const char*>(name), namelen);
    std::string v(reinterpret_cast<const char*>(value), valuelen);
    if (n == ":method") {
      s->request.method = std::move(v);
    } else if (n == ":path") {
      s->request.target = std::move(v);
    } else if (!n.empty() && n[0] != ':') {
      // HTTP/2 header names arrive in lower case already.
      s->request.headers.push_back({std::string(n), std::move(v)});
    }
    return 0;
  }

  static int on_data_chunk(nghttp2_session*, uint8_t, int32_t id, const uint8_t* data, size_t len,
                           void* user_data) {
    RequestStream* s = of(user_data)->find(id);
    if (!s || s->too_large) return 0;
    if (s->request.body.size() + len > wire::kMaxRequestBodyBytes) {
      s->too_large = true;
      s->request.body.clear();
      s->request.body.shrink_to_fit();
      return 0;
    }
    s->request.body.append(reinterpret_cast<const char*>(data), len);
    return 0;
  }

  static int on_frame_recv(nghttp2_session*, const nghttp2_frame* frame, void* user_data) {
    if (frame->hd.type == NGHTTP2_HEADERS && frame->hd.stream_id == of(user_data)->head_stream_) {
      of(user_data)->head_done();  // the whole header block is in
    }
    const bool request_end =
        (frame->hd.type == NGHTTP2_HEADERS || frame->hd.type == NGHTTP2_DATA) &&
        (frame->hd.flags & NGHTTP2_FLAG_END_STREAM);
    if (request_end) of(user_data)->dispatch(frame->hd.stream_id);
    return 0;
  }

  static int on_stream_close(nghttp2_session*, int32_t id, uint32_t, void* user_data) {
    Http2Session* self = of(user_data);
    if (id == self->head_stream_) self->head_done();  // reset before its header block ended
    auto it = self->streams_.find(id);
    if (it == self->streams_.end()) return 0;
    std::unique_ptr<RequestStream> s = std::move(it->second);
    self->streams_.erase(it);
    if (s->source) s->source->on_cancel();
    return 0;
  }

  static ssize_t read_body(nghttp2_session*, int32_t id, uint8_t* buf, size_t length,
                           uint32_t* flags, nghttp2_data_source*, void* user_data) {
    Http2Session* self = of(user_data);
    RequestStream* s = self->find(id);
    if (!s) return NGHTTP2_ERR_TEMPORAL_CALLBACK_FAILURE;
    if (!s->source) {
      const size_t n = std::min(length, s->body.size() - s->offset);
      std::memcpy(buf, s->body.data() + s->offset, n);
      s->offset += n;
      if (s->offset == s->body.size()) *flags |= NGHTTP2_DATA_FLAG_EOF;
      return static_cast<ssize_t>(n);
    }
    if (s->chunks.empty()) {
      if (s->finished) {
        *flags |= NGHTTP2_DATA_FLAG_EOF;
        return 0;
      }
      s->deferred = true;
      return NGHTTP2_ERR_DEFERRED;
    }
    const std::string& front = s->chunks.front();
    const size_t n = std::min(length, front.size() - s->chunk_offset);
    std::memcpy(buf, front.data() + s->chunk_offset, n);
    s->chunk_offset += n;
    if (s->chunk_offset == front.size()) {
      s->chunks.pop_front();
      s->chunk_offset = 0;
      // The chunk is in frames now: the source may write the next one.
      if (s->chunks.empty() && !s->finished) s->ready_owed = true;
    }
    if (s->chunks.empty() && s->finished) *flags |= NGHTTP2_DATA_FLAG_EOF;
    return static_cast<ssize_t>(n);
  }

  // --- requests and responses ------------------------------------------------------------------

  void dispatch(int32_t id) {
    RequestStream* s = find(id);
    if (!s) return;
    s->dispatched = true;
    if (s->too_large) return respond(id, wire::body_too_large(s->request));
    api::HttpRequest request = std::move(s->request);
    api_.handle(std::move(request), [weak = this->weak_from_this(), id](api::HttpResponse r) {
      auto session = weak.lock();
      if (!session) {
        if (r.stream) r.stream->on_cancel();
        return;
      }
      net::dispatch(session->stream_.get_executor(), [session, id, r = std::move(r)]() mutable {
        session->respond(id, std::move(r));
        session->flush();
      });
    });
  }

  void respond(int32_t id, api::HttpResponse r) {
    RequestStream* s = find(id);
    if (!s || s->answered) {
      if (r.stream) r.stream->on_cancel();
      return;
    }
    s->answered = true;
    if (r.stream && draining_) {
      // The client has stopped sending: a streamed answer would outlive it (see drain()).
      r.stream->on_cancel();
      nghttp2_submit_rst_stream(session_, NGHTTP2_FLAG_NONE, id, NGHTTP2_CANCEL);
      return;
    }
    std::vector<api::Header> head;
    head.reserve(5 + r.headers.size());
    head.push_back({":status", std::to_string(r.status)});
    if (!r.content_type.empty()) head.push_back({"content-type", std::move(r.content_type)});
    head.push_back({"x-amzn-requestid", wire::request_id()});
    if (r.amz_id_2) head.push_back({"x-amz-id-2", wire::amz_id_2()});
    for (auto& h : r.headers) head.push_back({wire::lower(h.name), std::move(h.value)});
    if (!r.stream) head.push_back({"content-length", std::to_string(r.body.size())});
    std::vector<nghttp2_nv> nva;
    nva.reserve(head.size());
    for (auto& h : head) {
      nva.push_back({reinterpret_cast<uint8_t*>(h.name.data()),
                     reinterpret_cast<uint8_t*>(h.value.data()), h.name.size(), h.value.size(),
                     NGHTTP2_NV_FLAG_NONE});
    }
    nghttp2_data_provider provider{};
    provider.read_callback = &Http2Session::read_body;
    const bool has_body = r.stream || !r.body.empty();
    if (r.stream) {
      s->source = std::move(r.stream);
      s->writer = std::make_shared<DataWriter>(this->weak_from_this(), id);
    } else {
      s->body = std::move(r.body);
    }
    if (nghttp2_submit_response(session_, id, nva.data(), nva.size(),
                                has_body ? &provider : nullptr) != 0) {
      if (s->source) std::exchange(s->source, nullptr)->on_cancel();
      return;
    }
    if (s->source) {
      // The head is queued; the first chunk may come.
      auto source = s->source;
      auto writer = s->writer;
      net::post(stream_.get_executor(),
                [keep = self(), source, writer] { source->on_ready(writer); });
    }
  }

  void write_chunk(int32_t id, std::string chunk) {
    RequestStream* s = find(id);
    if (!s || !s->source || s->finished) return;
    if (!chunk.empty())
      s->chunks.push_back(std::move(chunk));
    else
      s->ready_owed = true;
    resume(id, *s);
  }

  void finish_stream(int32_t id) {
    RequestStream* s = find(id);
    if (!s || !s->source || s->finished) return;
    s->finished = true;
    resume(id, *s);
  }

  void resume(int32_t id, RequestStream& s) {
    if (s.deferred) {
      s.deferred = false;
      nghttp2_session_resume_data(session_, id);
    }
    flush();
  }

  // After nghttp2 took chunks into frames, tell their sources they may write again.
  void hand_out_ready() {
    for (auto& [id, s] : streams_) {
      if (!s->ready_owed || !s->source) continue;
      s->ready_owed = false;
      auto source = s->source;
      auto writer = s->writer;
      net::post(stream_.get_executor(),
                [keep = self(), source, writer] { source->on_ready(writer); });
    }
  }

  // --- bytes in and out ------------------------------------------------------------------------

  bool feed() {
    const auto data = in_.data();  // a flat_buffer holds one contiguous range
    const ssize_t rv =
        nghttp2_session_mem_recv(session_, static_cast<const uint8_t*>(data.data()), data.size());
    in_.consume(in_.size());
    return rv >= 0;
  }

  void do_read() {
    idle_.touch();
    stream_.async_read_some(in_.prepare(64 * 1024),
                            beast::bind_front_handler(&Http2Session::on_read, self()));
  }

  void on_read(beast::error_code ec, std::size_t n) {
    if (ec == net::error::eof && drain()) return;
    if (ec) return shut_down();
    in_.commit(n);
    if (!feed()) return shut_down();  // not HTTP/2 (a bad preface) or a fatal error
    flush();
    if (!nghttp2_session_want_read(session_) && !nghttp2_session_want_write(session_)) {
      // The last frames may still be on their way out (a client that sent GOAWAY waits for
      // them); on_write closes once they are written.
      if (writing_) return;
      return shut_down();
    }
    do_read();
  }

  void flush() {
    if (writing_ || !session_ || closed_) return;
    for (;;) {
      const uint8_t* data = nullptr;
      const ssize_t n = nghttp2_session_mem_send(session_, &data);
      if (n < 0) return shut_down();
      if (n == 0) break;
      out_.append(reinterpret_cast<const char*>(data), static_cast<size_t>(n));
      if (out_.size() >= 256 * 1024) break;
    }
    hand_out_ready();
    if (out_.empty()) return;
    writing_ = true;
    idle_.touch();
    net::async_write(stream_, net::buffer(out_),
                     beast::bind_front_handler(&Http2Session::on_write, self()));
  }

  void on_write(beast::error_code ec, std::size_t) {
    writing_ = false;
    out_.clear();
    if (ec) return shut_down();
    flush();
    if (writing_) return;
    if (draining_ && streams_.empty()) {
      close();
      return draining_.reset();
    }
    // nghttp2 is done with the connection (after a GOAWAY, or a connection error it answered):
    // streams it never closed will not be answered, and a draining session must not keep itself.
    if (!nghttp2_session_want_read(session_) && !nghttp2_session_want_write(session_)) shut_down();
  }

  // The client stopped sending (a TCP half-close) after whole requests: answer those, as HTTP/1.1
  // does, then close. Requests cut short are dropped, and streamed answers (SubscribeToShard, which
  // would go on for minutes) are cancelled, as HTTP/1.1 cancels them when the client goes away.
  // False when nothing is owed or being written.
  bool drain() {
    std::erase_if(streams_, [](const auto& entry) { return !entry.second->dispatched; });
    if (streams_.empty() && !writing_) return false;
    draining_ = self();  // no read is pending to keep the session alive for its answers
    for (auto& [id, s] : streams_) {
      if (s->source) cancel_streamed(id, *s);
    }
    flush();
    return true;
  }

  // The header block of head_stream_ ended (or its stream did): no head is arriving.
  void head_done() {
    idle_.head_done();
    head_stream_ = 0;
  }

  // Ends a streamed answer with RST_STREAM CANCEL, and tells its source.
  void cancel_streamed(int32_t id, RequestStream& s) {
    s.writer.reset();
    std::exchange(s.source, nullptr)->on_cancel();
    nghttp2_submit_rst_stream(session_, NGHTTP2_FLAG_NONE, id, NGHTTP2_CANCEL);
  }

  void cancel_all() {
    auto streams = std::move(streams_);
    streams_.clear();
    for (auto& [id, s] : streams) {
      if (s->source) s->source->on_cancel();
    }
  }

  void shut_down() {
    if (closed_) return;
    closed_ = true;
    cancel_all();
    close();
    draining_.reset();  // every caller still holds the session
  }

  void close() {
    beast::error_code ec;
    lowest().socket().shutdown(net::ip::tcp::socket::shutdown_send, ec);
  }

  Stream stream_;
  beast::flat_buffer in_;
  api::Dispatcher& api_;
  IdleWatch idle_;
  int32_t head_stream_ = 0;  // the stream whose header block is arriving; 0: none
  nghttp2_session* session_ = nullptr;
  std::unordered_map<int32_t, std::unique_ptr<RequestStream>> streams_;
  std::string out_;
  bool writing_ = false;
  bool closed_ = false;
  std::shared_ptr<Http2Session> draining_;
};

}  // namespace kinesim::server
