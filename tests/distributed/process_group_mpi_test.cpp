// ProcessGroupMPI under mpirun (tools/check runs this program with 2 and with 3 processes): every collective's
// result against values each rank computes on its own from the ranks' known inputs, the asynchronous Work
// contract, a timeout when a rank is late, and bad input. Every rank runs every case, so the collectives match up.
#include <catch2/catch.hpp>

#include <wick/distributed.h>
#include <wick/wick.h>

#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "world.h"

using namespace wick;
namespace dist = wick::distributed;
using wick::test::world;

namespace {

// The rank's own input to the reductions: element i of rank r is r + 1 + i.
Tensor input_of(int rank, ScalarType dtype) {
  return (arange(6, TensorOptions().dtype(kFloat64)) + double(rank + 1)).to(dtype);
}

// What a reduction of every rank's input_of gives at element i, computed in double.
double expected_at(dist::ReduceOp op, int size, int64_t i) {
  double acc = op == dist::ReduceOp::PRODUCT ? 1
               : op == dist::ReduceOp::MIN   ? 1e300
               : op == dist::ReduceOp::MAX   ? -1e300
                                             : 0;
  for (int r = 0; r < size; ++r) {
    const double v = double(r + 1 + i);
    if (op == dist::ReduceOp::SUM || op == dist::ReduceOp::AVG) acc += v;
    if (op == dist::ReduceOp::PRODUCT) acc *= v;
    if (op == dist::ReduceOp::MIN) acc = std::min(acc, v);
    if (op == dist::ReduceOp::MAX) acc = std::max(acc, v);
  }
  return op == dist::ReduceOp::AVG ? acc / size : acc;
}

}  // namespace

TEST_CASE("mpi: the world group knows its rank and size", "[distributed]") {
  WICK_REQUIRE_RANKS();
  auto pg = world();
  CHECK(pg->getRank() >= 0);
  CHECK(pg->getRank() < pg->getSize());
  CHECK(pg->getBackendName() == "mpi");
  // Each rank contributes a one-hot vector: the sum says every rank is there exactly once.
  std::vector<Tensor> t{zeros({pg->getSize()})};
  t[0][pg->getRank()].fill_(1.0);
  pg->allreduce(t)->wait();
  CHECK(equal(t[0], ones({pg->getSize()})));
}

TEST_CASE("mpi: allreduce with each reduce op and dtype", "[distributed]") {
  WICK_REQUIRE_RANKS();
  auto pg = world();
  const int size = pg->getSize(), rank = pg->getRank();
  for (ScalarType dtype : {kFloat, kDouble, kInt32, kInt64, kUInt8}) {
    for (dist::ReduceOp op : {dist::ReduceOp::SUM, dist::ReduceOp::AVG, dist::ReduceOp::PRODUCT, dist::ReduceOp::MIN,
                              dist::ReduceOp::MAX}) {
      if (op == dist::ReduceOp::AVG && !is_floating_point(dtype)) continue;
      INFO(dtype_name(dtype) << " " << dist::reduce_op_name(op));
      std::vector<Tensor> t{input_of(rank, dtype)};
      auto work = pg->allreduce(t, {op});
      CHECK(work->wait());
      CHECK(work->isCompleted());
      CHECK(work->isSuccess());
      CHECK(t[0].dtype() == dtype);
      for (int64_t i = 0; i < 6; ++i) {
        const double want = expected_at(op, size, i);
        CHECK(t[0][i].item<double>() == Approx(dtype == kUInt8 ? double(uint8_t(int64_t(want))) : want));
      }
    }
  }
}

TEST_CASE("mpi: broadcast from each root, in place", "[distributed]") {
  WICK_REQUIRE_RANKS();
  auto pg = world();
  for (int root = 0; root < pg->getSize(); ++root) {
    std::vector<Tensor> t{full({2, 3}, double(10 * pg->getRank() + 1))};
    dist::BroadcastOptions options;
    options.rootRank = root;
    pg->broadcast(t, options)->wait();
    CHECK(equal(t[0], full({2, 3}, double(10 * root + 1))));
  }
}

TEST_CASE("mpi: allgather fills one output per rank, strided outputs too", "[distributed]") {
  WICK_REQUIRE_RANKS();
  auto pg = world();
  const int size = pg->getSize(), rank = pg->getRank();
  std::vector<Tensor> in{arange(6, TensorOptions().dtype(kInt64)).view({2, 3}) + 100 * rank};
  std::vector<std::vector<Tensor>> out(1);
  const Tensor storage = zeros({3, 2 * size}, TensorOptions().dtype(kInt64));
  for (int r = 0; r < size; ++r) out[0].push_back(storage.narrow(1, 2 * r, 2).t());  // [2, 3], not contiguous
  pg->allgather(out, in)->wait();
  for (int r = 0; r < size; ++r)
    CHECK(equal(out[0][size_t(r)], arange(6, TensorOptions().dtype(kInt64)).view({2, 3}) + 100 * r));
}

TEST_CASE("mpi: reduce_scatter gives each rank its slot's reduction", "[distributed]") {
  WICK_REQUIRE_RANKS();
  auto pg = world();
  const int size = pg->getSize(), rank = pg->getRank();
  std::vector<std::vector<Tensor>> in(1);
  for (int r = 0; r < size; ++r) in[0].push_back(full({4}, double(rank * 10 + r)));
  for (dist::ReduceOp op : {dist::ReduceOp::SUM, dist::ReduceOp::AVG, dist::ReduceOp::MAX}) {
    std::vector<Tensor> out{empty({4})};
    pg->reduce_scatter(out, in, {op})->wait();
    double want = op == dist::ReduceOp::MAX ? -1e300 : 0;
    for (int k = 0; k < size; ++k)
      want = op == dist::ReduceOp::MAX ? std::max(want, double(k * 10 + rank)) : want + double(k * 10 + rank);
    if (op == dist::ReduceOp::AVG) want /= size;
    CHECK(allclose(out[0], full({4}, want)));
  }
}

TEST_CASE("mpi: collectives run behind the caller's back and complete in issue order", "[distributed]") {
  WICK_REQUIRE_RANKS();
  auto pg = world();
  const int size = pg->getSize();
  // A barrier where rank 0 arrives last: the others' Work stays incomplete while they compute on.
  if (pg->getRank() == 0) std::this_thread::sleep_for(std::chrono::milliseconds(300));
  auto barrier = pg->barrier();
  std::vector<Tensor> big{ones({1 << 20})};
  auto reduce = pg->allreduce(big);
  if (pg->getRank() != 0) {
    CHECK_FALSE(barrier->isCompleted());
    CHECK_THROWS_WITH(barrier->wait(std::chrono::milliseconds(20)), Catch::Contains("gave up after 20 ms"));
  }
  const Tensor x = randn({256, 256});
  const Tensor y = x.matmul(x);  // computed while the collectives are queued or running
  CHECK(y.size(0) == 256);
  reduce->wait();
  CHECK(barrier->isCompleted());  // issued first, so finished first
  CHECK(equal(big[0], full({1 << 20}, double(size))));
}

TEST_CASE("mpi: wait() polls from the waiting thread, or the group's thread does for a group on the stack",
          "[distributed]") {
  WICK_REQUIRE_RANKS();
  const int size = world()->getSize();
  // Owned by a shared_ptr: the waiting thread drives MPI itself. Small and large, back to back and interleaved.
  std::vector<Tensor> small{ones({7})}, large{ones({300000})};
  auto first = world()->allreduce(small);
  auto second = world()->allreduce(large);
  second->wait();
  CHECK(first->isCompleted());  // issued first, so polled to completion first
  first->wait();
  CHECK(equal(small[0], full({7}, double(size))));
  CHECK(equal(large[0], full({300000}, double(size))));
  // Not owned by a shared_ptr: no driver can keep it alive, so its own thread polls and wait() sleeps.
  dist::ProcessGroupMPI on_stack(MPI_COMM_WORLD);
  std::vector<Tensor> t{ones({1000})};
  on_stack.allreduce(t, {dist::ReduceOp::AVG})->wait();
  CHECK(equal(t[0], ones({1000})));
}

TEST_CASE("mpi: a subgroup, and no group for a process outside it", "[distributed]") {
  WICK_REQUIRE_RANKS();
  const int rank = world()->getRank();
  auto pair = dist::ProcessGroupMPI::createProcessGroupMPI({0, 1});
  if (rank > 1) {
    CHECK(pair == nullptr);
    return;
  }
  REQUIRE(pair);
  CHECK(pair->getSize() == 2);
  CHECK(pair->getRank() == rank);
  std::vector<Tensor> t{full({3}, double(rank + 1))};
  pair->allreduce(t)->wait();
  CHECK(equal(t[0], full({3}, 3.0)));
}

TEST_CASE("mpi: a collective a rank joins late times out on the others, naming it and the rank", "[distributed]") {
  WICK_REQUIRE_RANKS();
  const int rank = world()->getRank(), size = world()->getSize();
  auto pg = std::make_shared<dist::ProcessGroupMPI>(MPI_COMM_WORLD, std::chrono::milliseconds(200));
  CHECK(pg->timeout() == std::chrono::milliseconds(200));
  std::vector<Tensor> t{ones({5})};
  if (rank == 0) {
    auto late = pg->allreduce(t);
    try {
      late->wait();
      FAIL("the allreduce did not time out");
    } catch (const Error& e) {
      const std::string message = e.what();
      CHECK_THAT(message, Catch::Contains("wick::distributed::allreduce") && Catch::Contains("rank 0 of") &&
                              Catch::Contains("timed out"));
    }
    CHECK(late->isCompleted());
    CHECK_FALSE(late->isSuccess());
    // The group is unusable from now on: what is issued after fails without running.
    auto after = pg->barrier();
    CHECK_THROWS_WITH(after->wait(), Catch::Contains("distributed::barrier") && Catch::Contains("unusable") &&
                                         Catch::Contains("allreduce timed out"));
  } else {
    std::this_thread::sleep_for(std::chrono::milliseconds(1500));
    pg->allreduce(t)->wait();  // rank 0's request was still posted: the late ranks complete it
    CHECK(equal(t[0], full({5}, double(size))));
  }
  std::vector<Tensor> sync{ones({1})};
  world()->allreduce(sync)->wait();  // a healthy group still works for everyone
  CHECK(sync[0].item<double>() == size);
}

TEST_CASE("mpi: bad input throws wick::Error naming the collective and the rank", "[distributed]") {
  WICK_REQUIRE_RANKS();
  auto pg = world();
  const std::string r = "rank " + std::to_string(pg->getRank());
  std::vector<Tensor> two{ones({2}), ones({2})};
  CHECK_THROWS_WITH(pg->allreduce(two), Catch::Contains("distributed::allreduce") && Catch::Contains(r) &&
                                            Catch::Contains("exactly one tensor, got 2"));
  std::vector<Tensor> strided{ones({4, 4}).t()};
  CHECK_THROWS_WITH(pg->allreduce(strided), Catch::Contains("contiguous"));
  std::vector<Tensor> half{ones({2}, TensorOptions().dtype(kHalf))};
  CHECK_THROWS_WITH(pg->broadcast(half), Catch::Contains("distributed::broadcast") && Catch::Contains("float16"));
  std::vector<Tensor> ints{ones({2}, TensorOptions().dtype(kInt64))};
  CHECK_THROWS_WITH(pg->allreduce(ints, {dist::ReduceOp::AVG}), Catch::Contains("AVG needs a floating point"));
  std::vector<Tensor> floats{ones({2})};
  CHECK_THROWS_WITH(pg->allreduce(floats, {dist::ReduceOp::BAND}), Catch::Contains("needs an integer tensor"));
  dist::BroadcastOptions bad_root;
  bad_root.rootRank = pg->getSize();
  CHECK_THROWS_WITH(pg->broadcast(floats, bad_root), Catch::Contains("root rank"));
  std::vector<std::vector<Tensor>> too_few{{ones({2})}};
  CHECK_THROWS_WITH(pg->allgather(too_few, floats),
                    Catch::Contains("distributed::allgather") && Catch::Contains("(one per rank), got 1"));
  std::vector<std::vector<Tensor>> wrong_size(1);
  for (int k = 0; k < pg->getSize(); ++k) wrong_size[0].push_back(ones({3}));
  CHECK_THROWS_WITH(pg->reduce_scatter(floats, wrong_size),
                    Catch::Contains("distributed::reduce_scatter") && Catch::Contains("expected 2 elements"));
  std::vector<Tensor> undefined{Tensor()};
  CHECK_THROWS_WITH(pg->allreduce(undefined), Catch::Contains("undefined"));
  // Nothing above reached MPI: the group still works.
  std::vector<Tensor> t{ones({1})};
  pg->allreduce(t)->wait();
  CHECK(t[0].item<double>() == pg->getSize());
}
