// The store and ProcessGroupNCCL, in a job started by tools/launch_ranks (no MPI needed: a GPU machine without MPI
// runs these) or by mpirun (tests/distributed/job.h). The store's cases run everywhere; the NCCL group's need one GPU
// per process (one process on a one-GPU machine: world size 1 is what it allows) and skip, saying so, elsewhere.
// Values are checked against what each rank computes on its own: every rank knows every rank's contribution.
#include <catch2/catch.hpp>

#include <wick/distributed.h>
#include <wick/wick.h>

#include <chrono>
#include <cmath>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "job.h"
#ifdef WICK_DISTRIBUTED_MPI
#include "world.h"
#endif

using namespace wick;
namespace dist = wick::distributed;
namespace F = wick::nn::functional;
using wick::test::job;
using wick::test::job_barrier;
using wick::test::job_folder;

namespace {

// Skips the case unless every process of the job can have a GPU of its own.
bool gpus_for_every_rank() {
  if (!cuda::is_available()) {
    WARN("CUDA device not present: skipped");
    return false;
  }
  if (cuda::device_count() < job().size) {
    WARN(job().size << " processes but " << cuda::device_count() << " GPU(s): NCCL needs one per process: skipped");
    return false;
  }
  return true;
}

// The job's ranks as an NCCL group: met through a FileStore in the case's folder, or, under mpirun, through the MPI
// world group (createProcessGroupNCCL), so that both ways of meeting run somewhere.
std::shared_ptr<dist::ProcessGroupNCCL> nccl_group(const std::string& case_name) {
#ifdef WICK_DISTRIBUTED_MPI
  if (!job().launched) return dist::ProcessGroupNCCL::createProcessGroupNCCL(*wick::test::world());
#endif
  auto store = std::make_shared<dist::FileStore>(job_folder(case_name) + "/store", job().size);
  return std::make_shared<dist::ProcessGroupNCCL>(store, job().rank, job().size);
}

}  // namespace

TEST_CASE("store: a FileStore carries each rank's value to every rank, and a missing key times out naming it",
          "[distributed][store]") {
  const int rank = job().rank, size = job().size;
  const std::string folder = job_folder("store");
  dist::FileStore store(folder + "/store", size);
  store.set("from rank " + std::to_string(rank), {uint8_t(rank), uint8_t(rank + 1), 0, 255});
  for (int r = 0; r < size; ++r) {
    const std::vector<uint8_t> value = store.get("from rank " + std::to_string(r));
    CHECK(value == std::vector<uint8_t>{uint8_t(r), uint8_t(r + 1), 0, 255});
  }
  CHECK(store.check({"from rank 0"}));
  CHECK_FALSE(store.check({"from rank 0", "never set"}));
  store.setTimeout(std::chrono::milliseconds(100));
  CHECK_THROWS_WITH(store.get("never set"), Catch::Contains("FileStore") && Catch::Contains("'never set'") &&
                                                Catch::Contains("was not set within 100 ms"));
  CHECK_THROWS_WITH(store.wait({"from rank 0", "also never set"}, std::chrono::milliseconds(50)),
                    Catch::Contains("'also never set'"));
  // A value set again replaces the old one whole (written beside it and renamed over it).
  job_barrier();
  if (rank == 0) store.set("from rank 0", std::vector<uint8_t>(3000, 7));
  job_barrier();
  CHECK(store.get("from rank 0") == std::vector<uint8_t>(3000, 7));
  CHECK_THROWS_WITH(dist::FileStore("", 2), Catch::Contains("path is empty"));
  CHECK_THROWS_WITH(dist::FileStore(folder + "/x", 0), Catch::Contains("numWorkers is 0"));
}

TEST_CASE("nccl: without a GPU, or without NCCL in the build, constructing the group says why", "[distributed][nccl]") {
  if (cuda::is_available()) {
    WARN("a CUDA device is present (the collective cases below run instead): skipped");
    return;
  }
  auto store = std::make_shared<dist::FileStore>(job_folder("no gpu") + "/store", job().size);
  CHECK_THROWS_WITH(
      dist::ProcessGroupNCCL(store, job().rank, job().size),
      Catch::Contains("ProcessGroupNCCL") && (Catch::Contains("no CUDA device") || Catch::Contains("has no NCCL")));
#ifdef WICK_DISTRIBUTED_MPI
  if (!job().launched)
    CHECK_THROWS_WITH(dist::ProcessGroupNCCL::createProcessGroupNCCL(*wick::test::world()),
                      Catch::Contains("no CUDA device") || Catch::Contains("has no NCCL"));
#endif
}

TEST_CASE("nccl: every collective on CUDA tensors, each reduce op, and bad input", "[distributed][nccl]") {
  if (!gpus_for_every_rank()) return;
  const int rank = job().rank, size = job().size;
  auto pg = nccl_group("collectives");
  const Device gpu(kCUDA, pg->device());
  const auto on_gpu = TensorOptions().device(gpu);
  CHECK(pg->getBackendName() == "nccl");

  // allreduce: rank r contributes r + 1 in every element.
  const double sum = size * (size + 1) / 2.0;
  for (ScalarType dtype : {kFloat, kDouble, kHalf, kBFloat16, kInt64}) {
    INFO("dtype " << dtype_name(dtype));
    std::vector<Tensor> t{full({5, 3}, double(rank + 1), on_gpu.dtype(dtype))};
    pg->allreduce(t)->wait();
    CHECK(equal(t[0].cpu(), full({5, 3}, sum, TensorOptions().dtype(dtype))));
  }
  const std::vector<std::pair<dist::ReduceOp::RedOpType, double>> ops = {
      {dist::ReduceOp::AVG, sum / size}, {dist::ReduceOp::MAX, double(size)}, {dist::ReduceOp::MIN, 1.0}};
  for (const auto& [op, expected] : ops) {
    std::vector<Tensor> t{full({7}, double(rank + 1), on_gpu.dtype(kDouble))};
    pg->allreduce(t, {op})->wait();
    CHECK(equal(t[0].cpu(), full({7}, expected, TensorOptions().dtype(kDouble))));
  }
  std::vector<Tensor> product{full({2}, 2.0, on_gpu)};
  pg->allreduce(product, {dist::ReduceOp::PRODUCT})->wait();
  CHECK(equal(product[0].cpu(), full({2}, std::pow(2.0, size))));

  // broadcast from the last rank.
  std::vector<Tensor> b{arange(6, on_gpu.dtype(kFloat)) * double(rank)};
  pg->broadcast(b, {size - 1})->wait();
  CHECK(equal(b[0].cpu(), arange(6, TensorOptions().dtype(kFloat)) * double(size - 1)));

  // allgather into strided outputs, and reduce_scatter: slot r of every rank's inputs sums on rank r.
  std::vector<Tensor> in{full({2, 3}, double(rank), on_gpu)};
  const Tensor storage = zeros({3, 2 * size}, on_gpu);
  std::vector<std::vector<Tensor>> out(1);
  for (int r = 0; r < size; ++r) out[0].push_back(storage.narrow(1, 2 * r, 2).t());
  pg->allgather(out, in)->wait();
  for (int r = 0; r < size; ++r) CHECK(equal(out[0][size_t(r)].cpu(), full({2, 3}, double(r))));
  std::vector<Tensor> slot{zeros({4}, on_gpu)};
  std::vector<std::vector<Tensor>> slots(1);
  for (int r = 0; r < size; ++r) slots[0].push_back(full({4}, double(10 * r + rank), on_gpu));
  pg->reduce_scatter(slot, slots)->wait();
  CHECK(equal(slot[0].cpu(), full({4}, 10.0 * rank * size + sum - size)));
  CHECK(pg->barrier()->wait());

  // Bad input throws at the call, naming the collective and the rank.
  const std::string r = "rank " + std::to_string(rank);
  std::vector<Tensor> on_cpu{ones({3})};
  CHECK_THROWS_WITH(pg->allreduce(on_cpu), Catch::Contains("distributed::allreduce") && Catch::Contains(r) &&
                                               Catch::Contains(gpu.str()) && Catch::Contains("got one on cpu"));
  std::vector<Tensor> flags{ones({3}, on_gpu.dtype(kBool))};
  CHECK_THROWS_WITH(pg->allreduce(flags), Catch::Contains("NCCL has no type for bool"));
  std::vector<Tensor> ints{ones({3}, on_gpu.dtype(kInt32))};
  CHECK_THROWS_WITH(pg->allreduce(ints, {dist::ReduceOp::AVG}), Catch::Contains("AVG needs a floating point"));
  CHECK_THROWS_WITH(pg->allreduce(ints, {dist::ReduceOp::BXOR}), Catch::Contains("NCCL has no ReduceOp::BXOR"));
}

TEST_CASE("nccl: a group met through a FileStore trains DistributedDataParallel on CUDA like the full batch",
          "[distributed][nccl]") {
  if (!gpus_for_every_rank()) return;
  const int rank = job().rank, size = job().size;
  auto store = std::make_shared<dist::FileStore>(job_folder("ddp") + "/store", size);
  auto pg = std::make_shared<dist::ProcessGroupNCCL>(store, rank, size, std::chrono::seconds(60));
  const Device gpu(kCUDA, pg->device());
  manual_seed(11 + uint64_t(rank));  // each rank initialises differently: DDP broadcasts rank 0's
  nn::Sequential net(nn::Linear(6, 16), nn::Tanh(), nn::Linear(16, 3));
  net->to(gpu, kDouble);
  dist::DistributedDataParallel<nn::Sequential> ddp(net, pg);
  nn::Sequential oracle(nn::Linear(6, 16), nn::Tanh(), nn::Linear(16, 3));
  oracle->to(gpu, kDouble);
  {
    NoGradGuard no_grad;
    for (size_t i = 0; i < net->parameters().size(); ++i) oracle->parameters()[i].copy_(net->parameters()[i]);
  }
  manual_seed(5);  // the same batch on every rank
  const Tensor x = randn({4 * size, 6}, TensorOptions().dtype(kDouble)).to(gpu);
  const Tensor y = randint(0, 3, {4 * size}).to(gpu);
  F::cross_entropy(ddp.forward(x.narrow(0, 4 * rank, 4)), y.narrow(0, 4 * rank, 4)).backward();
  F::cross_entropy(oracle->forward(x), y).backward();
  for (size_t i = 0; i < net->parameters().size(); ++i) {
    INFO("parameter " << i);
    CHECK(allclose(net->parameters()[i].grad().cpu(), oracle->parameters()[i].grad().cpu(), 1e-10, 1e-12));
  }
}
