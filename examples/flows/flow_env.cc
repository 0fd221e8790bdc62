#include "examples/flows/flow_env.h"

#include <stdexcept>

#include "harness/admin_client.h"
#include "harness/process_server.h"
#include "harness/streams.h"
#include "harness/test_server.h"

#ifndef KINESIM_BIN
#error "KINESIM_BIN must name the kinesim executable"
#endif

namespace kinesim::flows {
namespace {

template <typename T>
T Must(harness::Result<T> r, std::string_view what) {
  if (!r.ok()) throw std::runtime_error(std::string(what) + ": " + r.error().describe());
  return std::move(r).value();
}

class InProcessEnv final : public FlowEnv {
 public:
  InProcessEnv() : server_(Options()), admin_(server_.endpoint()) {}

  std::string name() const override { return "in_process"; }
  std::string endpoint() const override { return server_.endpoint(); }
  const Clock& clock() const override { return const_cast<InProcessEnv*>(this)->server_.clock(); }
  int64_t freeze_clock(std::optional<int64_t> at_ms) override {
    if (!server_.clock().freeze(at_ms)) throw std::runtime_error("freeze: earlier than now");
    return server_.clock().now_ms();
  }
  int64_t advance_clock(int64_t ms) override {
    if (!server_.clock().advance(ms)) throw std::runtime_error("advance: the clock is not frozen");
    return server_.clock().now_ms();
  }
  int64_t add_fault(std::string_view rule_json) override {
    return Must(admin_.add_fault(rule_json), "add fault");
  }
  int64_t fired(int64_t id) override { return server_.faults().fired(id); }
  void clear_faults() override { server_.faults().clear(); }
  void reset() override { Must(admin_.reset(), "reset"); }

 private:
  static harness::TestServer::Options Options() {
    harness::TestServer::Options o;
    o.admin = true;
    o.delays = StateDelays{};  // streams ACTIVE at once, resharding done at once
    return o;
  }
  harness::TestServer server_;
  harness::AdminClient admin_;
};

harness::KinesimProcess& SharedProcess() {
  // Stopped by its destructor at exit.
  static harness::KinesimProcess process(KINESIM_BIN);
  return process;
}

class ProcessEnv final : public FlowEnv {
 public:
  ProcessEnv() : admin_(SharedProcess().endpoint()), mirror_(0) { Must(admin_.reset(), "reset"); }
  ~ProcessEnv() override { (void)admin_.reset(); }

  std::string name() const override { return "process"; }
  std::string endpoint() const override { return SharedProcess().endpoint(); }
  const Clock& clock() const override { return mirror_; }
  int64_t freeze_clock(std::optional<int64_t> at_ms) override {
    return Mirror(Must(admin_.freeze_clock(at_ms), "freeze clock"));
  }
  int64_t advance_clock(int64_t ms) override {
    return Mirror(Must(admin_.advance_clock(ms), "advance clock"));
  }
  int64_t add_fault(std::string_view rule_json) override {
    return Must(admin_.add_fault(rule_json), "add fault");
  }
  int64_t fired(int64_t id) override { return Must(admin_.fired(id), "fired"); }
  void clear_faults() override { Must(admin_.clear_faults(), "clear faults"); }
  void reset() override { Must(admin_.reset(), "reset"); }

 private:
  int64_t Mirror(const harness::AdminClockState& state) {
    mirror_.set_ms(state.now_ms);
    return state.now_ms;
  }
  harness::AdminClient admin_;
  FakeClock mirror_;
};

}  // namespace

void FlowEnv::create_stream(harness::KinesisClient& client, std::string_view stream, int shards) {
  Must(client.create_stream(stream, shards), "create stream");
  Must(harness::WaitForActive(client, stream), "wait for ACTIVE");
}

std::unique_ptr<FlowEnv> MakeInProcessEnv() { return std::make_unique<InProcessEnv>(); }
std::unique_ptr<FlowEnv> MakeProcessEnv() { return std::make_unique<ProcessEnv>(); }

}  // namespace kinesim::flows
