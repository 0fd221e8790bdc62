// Starts kinesim inside this process, creates a stream, puts a record and reads it back, then
// puts two user records as one KPL aggregated record and unpacks them.
#include <cstdio>

#include "harness/kinesis_client.h"
#include "harness/kpl.h"
#include "harness/streams.h"
#include "harness/test_server.h"

int main() {
  using namespace kinesim::harness;
  TestServer kinesis;
  KinesisClient client(kinesis.endpoint());
  client.create_stream("orders", 1).value();
  WaitForActive(client, "orders").value();
  auto put = client.put_record("orders", "u1", R"({"type":"ORDER_PLACED"})").value();
  auto records = DrainStream(client, "orders").value();
  if (records.size() != 1 || records[0].data != R"({"type":"ORDER_PLACED"})" ||
      records[0].sequence_number != put.sequence_number) {
    std::fprintf(stderr, "consumer: read back %zu records, not the one put\n", records.size());
    return 1;
  }
  std::printf("consumer: put and read %s from %s\n", put.sequence_number.c_str(),
              put.shard_id.c_str());

  const std::vector<kpl::UserRecord> users = {{"u1", "", "a"}, {"u2", "", "b"}};
  kpl::put_aggregated(client, "orders", users).value();
  records = DrainStream(client, "orders").value();
  auto unpacked = records.size() == 2 ? kpl::deaggregate(records[1].data) : std::nullopt;
  if (!unpacked || *unpacked != users) {
    std::fprintf(stderr, "consumer: the aggregated record did not unpack to its user records\n");
    return 1;
  }
  std::printf("consumer: put and unpacked %zu aggregated user records\n", unpacked->size());
  return 0;
}
