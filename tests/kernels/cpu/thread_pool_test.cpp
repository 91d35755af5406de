// The intra-op pool: every index exactly once, small ranges inline, exceptions reach the caller.
#include <catch2/catch.hpp>

#include <atomic>
#include <stdexcept>
#include <thread>
#include <vector>

#include "../../support/scoped_settings.h"
#include "thread_pool.h"

using namespace wick::cpu;

TEST_CASE("thread pool: covers a range exactly once, for any thread count", "[kernels][threads]") {
  for (int threads : {1, 2, 3, 4}) {
    wick::testing::ThreadCount count(threads);
    std::vector<std::atomic<int>> hits(100000);
    parallel_for(0, 100000, 1000, [&](int64_t b, int64_t e) {
      for (int64_t i = b; i < e; ++i) hits[size_t(i)]++;
    });
    bool once = true;
    for (auto& h : hits) once = once && h.load() == 1;
    CHECK(once);
  }
}

TEST_CASE("thread pool: small ranges run inline on the caller", "[kernels][threads]") {
  const auto caller = std::this_thread::get_id();
  bool same = false;
  parallel_for(0, 10, 1000, [&](int64_t, int64_t) { same = std::this_thread::get_id() == caller; });
  CHECK(same);
}

TEST_CASE("thread pool: an exception in any chunk is rethrown on the caller", "[kernels][threads]") {
  wick::testing::ThreadCount threads(4);
  CHECK_THROWS_WITH(parallel_for(0, 100000, 100,
                                 [&](int64_t b, int64_t) {
                                   if (b > 50000) throw std::runtime_error("chunk failed");
                                 }),
                    "chunk failed");
  // And the pool still works afterwards.
  std::atomic<int64_t> sum{0};
  parallel_for(0, 100000, 100, [&](int64_t b, int64_t e) { sum += e - b; });
  CHECK(sum.load() == 100000);
}

TEST_CASE("thread pool: nested regions run inline instead of deadlocking", "[kernels][threads]") {
  wick::testing::ThreadCount threads(2);
  std::atomic<int64_t> total{0};
  parallel_for(0, 4, 1, [&](int64_t b, int64_t e) {
    for (int64_t i = b; i < e; ++i) parallel_for(0, 100000, 10, [&](int64_t ib, int64_t ie) { total += ie - ib; });
  });
  CHECK(total.load() == 400000);
}
