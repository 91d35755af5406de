// DistributedDataParallel under mpirun. The oracle is a plain model in the same process: with equal shards and a
// mean loss, the average of the ranks' shard gradients is the full batch's gradient, which each rank computes on
// its own without any exchange. Models are float64 so that the two sides agree to rounding.
#include <catch2/catch.hpp>

#include <wick/distributed.h>
#include <wick/wick.h>

#include <algorithm>
#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "world.h"

using namespace wick;
namespace dist = wick::distributed;
namespace F = wick::nn::functional;
using wick::test::world;

namespace {

nn::Sequential mlp() {
  nn::Sequential net(nn::Linear(6, 16), nn::Tanh(), nn::Linear(16, 16), nn::Tanh(), nn::Linear(16, 3));
  net->to(kDouble);
  return net;
}

// A copy of `net`'s current parameters in a fresh, unwrapped model: the oracle.
nn::Sequential copy_of(nn::Sequential& net) {
  nn::Sequential twin = mlp();
  NoGradGuard no_grad;
  const std::vector<Tensor> from = net->parameters(), to = twin->parameters();
  for (size_t i = 0; i < from.size(); ++i) Tensor(to[i]).copy_(from[i]);
  return twin;
}

// A batch every rank knows (the same seed everywhere), and this rank's equal share of it.
struct Batch {
  Tensor x, y;
};
Batch full_batch(int64_t rows, uint64_t seed) {
  manual_seed(seed);
  return {randn({rows, 6}, TensorOptions().dtype(kDouble)), randint(0, 3, {rows})};
}
Batch shard(const Batch& b, int rank, int size) {
  const int64_t n = b.x.size(0) / size;
  return {b.x.narrow(0, rank * n, n), b.y.narrow(0, rank * n, n)};
}

void check_grads_equal(nn::Sequential& a, nn::Sequential& b) {
  const std::vector<Tensor> pa = a->parameters(), pb = b->parameters();
  REQUIRE(pa.size() == pb.size());
  for (size_t i = 0; i < pa.size(); ++i) {
    INFO("parameter " << i);
    REQUIRE(pa[i].grad().defined());
    CHECK(allclose(pa[i].grad(), pb[i].grad(), 1e-10, 1e-12));
    CHECK(pa[i].grad().sizes() == pb[i].grad().sizes());
  }
}

}  // namespace

TEST_CASE("ddp: construction broadcasts rank 0's parameters and buffers", "[distributed][ddp]") {
  WICK_REQUIRE_RANKS();
  const int rank = world()->getRank(), size = world()->getSize();
  manual_seed(100 + uint64_t(rank));  // every rank initialises differently
  nn::Sequential net(nn::Linear(4, 3), nn::BatchNorm1d(3));
  {
    NoGradGuard no_grad;
    net->buffers()[0].fill_(double(rank));  // running_mean
  }
  dist::DistributedDataParallel<nn::Sequential> ddp(net, world());
  std::vector<Tensor> mine{cat({net->parameters()[0].flatten(), net->parameters()[1], net->buffers()[0]})};
  std::vector<std::vector<Tensor>> all(1);
  for (int r = 0; r < size; ++r) all[0].push_back(empty_like(mine[0]));
  world()->allgather(all, mine)->wait();
  for (int r = 1; r < size; ++r) CHECK(equal(all[0][size_t(r)], all[0][0]));
  CHECK(equal(net->buffers()[0], zeros({3})));  // rank 0's running mean
}

TEST_CASE("ddp: each rank's gradient is the full batch's, and training keeps the ranks identical",
          "[distributed][ddp]") {
  WICK_REQUIRE_RANKS();
  const int rank = world()->getRank(), size = world()->getSize();
  manual_seed(7 + uint64_t(rank));
  nn::Sequential net = mlp();
  dist::DistributedDataParallel<nn::Sequential> ddp(net, world());
  nn::Sequential oracle = copy_of(net);  // after the broadcast: rank 0's initialisation
  optim::SGD opt(net->parameters(), optim::SGDOptions(0.1).momentum(0.9));
  optim::SGD oracle_opt(oracle->parameters(), optim::SGDOptions(0.1).momentum(0.9));
  for (int step = 0; step < 4; ++step) {
    const Batch full = full_batch(12 * size, 1000 + uint64_t(step)), mine = shard(full, rank, size);
    opt.zero_grad();
    F::cross_entropy(ddp.forward(mine.x), mine.y).backward();
    oracle_opt.zero_grad();
    F::cross_entropy(oracle->forward(full.x), full.y).backward();
    check_grads_equal(net, oracle);
    opt.step();
    oracle_opt.step();
  }
  const std::vector<Tensor> p = net->parameters(), q = oracle->parameters();
  for (size_t i = 0; i < p.size(); ++i) CHECK(allclose(p[i], q[i], 1e-10, 1e-12));
}

TEST_CASE("ddp: buckets are exchanged in order while backward is still running", "[distributed][ddp]") {
  WICK_REQUIRE_RANKS();
  const int rank = world()->getRank(), size = world()->getSize();
  nn::Sequential net = mlp();
  // 16x16 float64 weights are 2 KB: a 1 KB cap gives buckets of one or two parameters.
  dist::DistributedDataParallel<nn::Sequential> ddp(net, world(),
                                                    dist::DistributedDataParallelOptions().bucket_cap_mb(1.0 / 1024));
  const auto& buckets = ddp.reducer().buckets();
  REQUIRE(buckets.size() >= 3);
  CHECK(buckets.front().front() == net->parameters().size() - 1);  // last parameter first
  const Batch full = full_batch(8 * size, 5), mine = shard(full, rank, size);
  F::cross_entropy(ddp.forward(mine.x), mine.y).backward();
  const auto& events = ddp.reducer().last_backward();
  using Kind = dist::Reducer::Event::Kind;
  std::vector<int64_t> launches;
  size_t first_launch = events.size(), last_ready = 0, end = events.size();
  for (size_t i = 0; i < events.size(); ++i) {
    if (events[i].kind == Kind::BucketLaunched) {
      launches.push_back(events[i].index);
      first_launch = std::min(first_launch, i);
    }
    if (events[i].kind == Kind::GradReady) last_ready = i;
    if (events[i].kind == Kind::BackwardEnded) end = i;
  }
  std::vector<int64_t> in_order(buckets.size());
  for (size_t b = 0; b < in_order.size(); ++b) in_order[b] = int64_t(b);
  CHECK(launches == in_order);
  // The first bucket went out before the first layer's gradients existed: communication overlapped backward.
  CHECK(first_launch < last_ready);
  CHECK(end == events.size() - 1);
  nn::Sequential oracle = copy_of(net);
  F::cross_entropy(oracle->forward(full.x), full.y).backward();
  check_grads_equal(net, oracle);
}

TEST_CASE("ddp: no_sync accumulates locally, and the next backward exchanges the sums", "[distributed][ddp]") {
  WICK_REQUIRE_RANKS();
  const int rank = world()->getRank(), size = world()->getSize();
  nn::Sequential net = mlp();
  dist::DistributedDataParallel<nn::Sequential> ddp(net, world());
  nn::Sequential local = copy_of(net), oracle = copy_of(net);
  const Batch a = full_batch(4 * size, 11), b = full_batch(4 * size, 12);
  {
    auto guard = ddp.no_sync();
    F::cross_entropy(ddp.forward(shard(a, rank, size).x), shard(a, rank, size).y).backward();
  }
  // Nothing was exchanged: the gradient is this rank's own shard's.
  F::cross_entropy(local->forward(shard(a, rank, size).x), shard(a, rank, size).y).backward();
  check_grads_equal(net, local);
  F::cross_entropy(ddp.forward(shard(b, rank, size).x), shard(b, rank, size).y).backward();
  // The exchanged sum: both micro-batches' full-batch gradients, accumulated.
  F::cross_entropy(oracle->forward(a.x), a.y).backward();
  F::cross_entropy(oracle->forward(b.x), b.y).backward();
  check_grads_equal(net, oracle);
}

namespace {

struct TwoHeadsImpl : nn::Module {
  TwoHeadsImpl() {
    used = register_module("used", nn::Linear(nn::LinearOptions(3, 2)));
    unused = register_module("unused", nn::Linear(nn::LinearOptions(3, 2)));
  }
  Tensor forward(const Tensor& x) { return used->forward(x); }
  nn::Linear used{nullptr}, unused{nullptr};
};
WICK_MODULE(TwoHeads);

}  // namespace

TEST_CASE("ddp: a parameter without a gradient is an error unless find_unused_parameters", "[distributed][ddp]") {
  WICK_REQUIRE_RANKS();
  const int rank = world()->getRank();
  const Tensor x = full({2, 3}, double(rank + 1)).to(kFloat);
  {
    TwoHeads net;
    dist::DistributedDataParallel<TwoHeads> ddp(net, world());
    CHECK_THROWS_WITH(ddp.forward(x).sum().backward(), Catch::Contains("distributed::DistributedDataParallel") &&
                                                           Catch::Contains("rank " + std::to_string(rank)) &&
                                                           Catch::Contains("2 parameter(s) received no gradient") &&
                                                           Catch::Contains("[2, 3]") &&
                                                           Catch::Contains("find_unused_parameters(true)"));
  }
  TwoHeads net;
  dist::DistributedDataParallel<TwoHeads> ddp(net, world(),
                                              dist::DistributedDataParallelOptions().find_unused_parameters(true));
  ddp.forward(x).sum().backward();
  CHECK(equal(net->unused->weight.grad(), zeros({2, 3})));  // defined, and zero, on every rank
  CHECK(equal(net->unused->bias.grad(), zeros({2})));
  // d(sum(x W^T + b))/dW = column sums of x, averaged over the ranks: 2 * mean(rank + 1) per element.
  const int size = world()->getSize();
  CHECK(allclose(net->used->weight.grad(), full({2, 3}, 2.0 * (size + 1) / 2.0)));
  CHECK(allclose(net->used->bias.grad(), full({2}, 2.0)));
}

TEST_CASE("ddp: bad construction throws wick::Error naming the problem", "[distributed][ddp]") {
  WICK_REQUIRE_RANKS();
  const int rank = world()->getRank();
  CHECK_THROWS_WITH(dist::DistributedDataParallel<nn::Sequential>(mlp(), nullptr),
                    Catch::Contains("DistributedDataParallel") && Catch::Contains("null"));
  // A model whose size depends on the rank: every rank sees the mismatch (a collective check), none hangs.
  nn::Sequential uneven(nn::Linear(4, 3 + rank));
  CHECK_THROWS_WITH(dist::DistributedDataParallel<nn::Sequential>(uneven, world()),
                    Catch::Contains("models differ") && Catch::Contains("rank " + std::to_string(rank)));
  CHECK_THROWS_WITH(dist::DistributedDataParallel<nn::Sequential>(
                        mlp(), world(), dist::DistributedDataParallelOptions().bucket_cap_mb(0)),
                    Catch::Contains("bucket_cap_mb must be positive"));
}

TEST_CASE("ddp: a rank that stops mid-training makes backward throw on the others within the group's timeout",
          "[distributed][ddp]") {
  WICK_REQUIRE_RANKS();
  const int rank = world()->getRank(), size = world()->getSize();
  const bool fails = rank == size - 1;
  const auto timeout = std::chrono::milliseconds(300), late_by = std::chrono::milliseconds(3000);
  auto pg = std::make_shared<dist::ProcessGroupMPI>(MPI_COMM_WORLD, timeout);
  nn::Sequential net = mlp();
  dist::DistributedDataParallel<nn::Sequential> ddp(net, pg);
  REQUIRE(ddp.reducer().buckets().size() == 1);  // one all-reduce per backward: the late rank can complete it
  optim::SGD opt(net->parameters(), optim::SGDOptions(0.1));
  for (int step = 0; step < 3; ++step) {
    const Batch mine = shard(full_batch(4 * size, 300 + uint64_t(step)), rank, size);
    opt.zero_grad();
    const Tensor loss = F::cross_entropy(ddp.forward(mine.x), mine.y);
    if (step < 2) {
      loss.backward();
      opt.step();
    } else if (!fails) {
      // The last rank has stopped (its data loader threw, say): this backward's exchange never completes here.
      const auto started = std::chrono::steady_clock::now();
      try {
        loss.backward();
        FAIL("backward returned although a rank never joined its gradient exchange");
      } catch (const Error& e) {
        CHECK_THAT(std::string(e.what()), Catch::Contains("wick::distributed::allreduce") &&
                                              Catch::Contains("rank " + std::to_string(rank) + " of") &&
                                              Catch::Contains("timed out"));
      }
      // Bounded by the group's timeout, not by the failed rank: it had not even come back yet.
      CHECK(std::chrono::steady_clock::now() - started < late_by);
    } else {
      // The failed rank comes back late and completes the all-reduce the others had posted, so that MPI can shut
      // down cleanly at the end of the run; what it gets back is not checked.
      std::this_thread::sleep_for(late_by);
      loss.backward();
    }
  }
  std::vector<Tensor> sync{ones({1})};
  world()->allreduce(sync)->wait();  // the world group was never involved: it still works for everyone
  CHECK(sync[0].item<double>() == size);
}
