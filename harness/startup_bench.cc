// How long a test waits for kinesim in-process: from TestServer construction to a 1-shard
// stream that DescribeStreamSummary reports ACTIVE, through the typed client. Prints the median,
// minimum and maximum over N runs (default 30): kinesim_harness_startup [N]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <vector>

#include "harness/kinesis_client.h"
#include "harness/streams.h"
#include "harness/test_server.h"

int main(int argc, char** argv) {
  using namespace kinesim::harness;
  int runs = argc > 1 ? std::atoi(argv[1]) : 30;
  if (runs < 1) runs = 1;
  std::vector<double> ms;
  for (int i = 0; i < runs; ++i) {
    auto start = std::chrono::steady_clock::now();
    TestServer server;
    KinesisClient client(server.endpoint());
    client.create_stream("startup", 1).value();
    WaitForActive(client, "startup").value();
    auto end = std::chrono::steady_clock::now();
    ms.push_back(std::chrono::duration<double, std::milli>(end - start).count());
  }
  std::sort(ms.begin(), ms.end());
  double median =
      ms.size() % 2 ? ms[ms.size() / 2] : (ms[ms.size() / 2 - 1] + ms[ms.size() / 2]) / 2;
  std::printf(
      "TestServer construction to ACTIVE stream over %d runs: median %.2f ms, min %.2f ms, max "
      "%.2f ms\n",
      runs, median, ms.front(), ms.back());
  return 0;
}
