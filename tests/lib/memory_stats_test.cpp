// Tensor memory accounting (memory_allocated, max_memory_allocated, reset_peak_memory_stats under a
// MemoryStatsGuard): exact byte counts for known allocations, views and borrowed memory left out, the peak's
// high-water mark, a compiled plan's arena, nothing counted without a guard.
#include <catch2/catch.hpp>
#include <wick/wick.h>

#include <vector>

using namespace wick;

TEST_CASE("memory_allocated counts each tensor's storage once, while it lives", "[memory]") {
  MemoryStatsGuard counting;
  const int64_t before = memory_allocated();
  {
    const Tensor a = empty({250, 4});
    CHECK(memory_allocated() == before + 1000 * 4);
    const Tensor view = a.view({10, 100}).transpose(0, 1);  // the same storage
    const Tensor d = empty({3}, kDouble);
    CHECK(memory_allocated() == before + 1000 * 4 + 3 * 8);
  }
  CHECK(memory_allocated() == before);
  std::vector<float> host(64, 1.0f);
  const Tensor borrowed = from_blob(host.data(), {64});  // the caller's memory, not wick's
  CHECK(memory_allocated() == before);
}

TEST_CASE("max_memory_allocated keeps the high-water mark until reset_peak_memory_stats", "[memory]") {
  MemoryStatsGuard counting;
  reset_peak_memory_stats();
  const int64_t before = memory_allocated();
  CHECK(max_memory_allocated() == before);
  {
    const Tensor a = empty({1000});
    { const Tensor b = empty({2000}); }
    const Tensor c = empty({500});  // reuses nothing that counts: the peak was a and b together
    CHECK(max_memory_allocated() == before + 3000 * 4);
  }
  CHECK(memory_allocated() == before);
  CHECK(max_memory_allocated() == before + 3000 * 4);
  reset_peak_memory_stats();
  CHECK(max_memory_allocated() == before);
}

TEST_CASE("memory stats: an op's temporaries reach the peak, not the end state", "[memory]") {
  MemoryStatsGuard counting;
  const Tensor x = randn({128, 256});
  reset_peak_memory_stats();
  const int64_t before = memory_allocated();
  // exp(x) and its sum live only inside the full expression; the result is one element.
  const Tensor s = (exp(x) * 2.0).sum();
  CHECK(memory_allocated() == before + 4);
  CHECK(max_memory_allocated() >= before + 2 * 128 * 256 * 4);
}

TEST_CASE("memory stats: a compiled plan's arena counts while the plan exists", "[memory]") {
  MemoryStatsGuard counting;
  const Tensor w = randn({64, 64});
  const Tensor x = randn({32, 64});
  const int64_t before = memory_allocated();
  {
    auto f = compile([&](const Tensor& a) { return relu(matmul(relu(matmul(a, w)), w)).sum(); });
    for (int i = 0; i < 3; ++i) f(x);
    REQUIRE(f.stats().replays == 1);
    REQUIRE(f.arena_bytes() > 0);
    CHECK(memory_allocated() >= before + int64_t(f.arena_bytes()));
  }
  CHECK(memory_allocated() == before);
}

TEST_CASE("memory stats count nothing without a guard", "[memory]") {
  const int64_t before = memory_allocated();
  const Tensor a = empty({1000});
  CHECK(memory_allocated() == before);
  Tensor b;
  {
    MemoryStatsGuard counting;
    b = empty({1000});
    CHECK(memory_allocated() == before + 4000);
  }
  b = Tensor();  // released after counting stopped
  CHECK(memory_allocated() == before + 4000);
}

TEST_CASE("memory stats keep each device's counters apart", "[memory]") {
  MemoryStatsGuard counting;
  reset_peak_memory_stats(kCUDA);
  const int64_t cpu = memory_allocated(), cuda = memory_allocated(kCUDA), cuda_peak = max_memory_allocated(kCUDA);
  const Tensor a = empty({1000});
  CHECK(memory_allocated() == cpu + 4000);
  CHECK(memory_allocated(kCUDA) == cuda);
  CHECK(max_memory_allocated(kCUDA) == cuda_peak);
}

TEST_CASE("memory stats name the call and the device they refuse", "[memory]") {
  const Device bad(DeviceType::CUDA, -1);
  CHECK_THROWS_WITH(memory_allocated(bad), Catch::Contains("memory_allocated") && Catch::Contains("cuda:-1"));
  CHECK_THROWS_WITH(max_memory_allocated(bad), Catch::Contains("max_memory_allocated"));
  CHECK_THROWS_WITH(reset_peak_memory_stats(bad), Catch::Contains("reset_peak_memory_stats"));
}
