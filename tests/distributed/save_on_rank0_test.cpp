// save_on_rank0 under mpirun: rank 0 writes, every rank then loads rank 0's weights; a failed write fails every
// rank with rank 0's message, instead of leaving the others waiting or loading a file that is not there.
#include <catch2/catch.hpp>

#include <wick/distributed.h>
#include <wick/wick.h>

#include <filesystem>
#include <stdexcept>
#include <string>
#include <vector>

#include <unistd.h>

#include "world.h"

using namespace wick;
namespace dist = wick::distributed;
using wick::test::world;

namespace {

// A folder every rank names alike (rank 0's process id, broadcast), fresh for this run.
std::filesystem::path shared_folder() {
  std::vector<Tensor> id{full({1}, int64_t(getpid()), dtype(kInt64))};
  world()->broadcast(id)->wait();
  return std::filesystem::temp_directory_path() / ("wick_save_on_rank0_" + std::to_string(id[0].item<int64_t>()));
}

}  // namespace

TEST_CASE("save_on_rank0: every rank loads what rank 0 wrote", "[distributed][save_on_rank0]") {
  WICK_REQUIRE_RANKS();
  const int rank = world()->getRank();
  const std::filesystem::path folder = shared_folder();
  if (rank == 0) std::filesystem::create_directories(folder);
  const std::string path = (folder / "model.safetensors").string();

  manual_seed(uint64_t(100 + rank));  // each rank's model starts different
  nn::Linear model(4, 3);
  std::vector<Tensor> rank0_weight{model->weight.detach().clone()};  // rank 0's values, everywhere: the oracle
  world()->broadcast(rank0_weight)->wait();
  CHECK(equal(model->weight, rank0_weight[0]) == (rank == 0));

  dist::save_on_rank0(*world(), [&] { wick::save(model, path); });
  wick::load(model, path);
  CHECK(equal(model->weight, rank0_weight[0]));

  world()->barrier()->wait();  // every rank has read the file before rank 0 removes it
  if (rank == 0) std::filesystem::remove_all(folder);
}

TEST_CASE("save_on_rank0: a failed write fails every rank with rank 0's message", "[distributed][save_on_rank0]") {
  WICK_REQUIRE_RANKS();
  const int rank = world()->getRank();
  SECTION("wick::save into a folder that does not exist") {
    const std::string path = (shared_folder() / "missing" / "model.safetensors").string();
    nn::Linear model(2, 2);
    CHECK_THROWS_WITH(
        dist::save_on_rank0(*world(), [&] { wick::save(model, path); }),
        Catch::Contains("rank " + std::to_string(rank) + ": the write on rank 0 failed") && Catch::Contains(path));
    CHECK_FALSE(std::filesystem::exists(path));
  }
  SECTION("any exception, its message carried whole") {
    const std::string message(300, 'x');
    CHECK_THROWS_WITH(dist::save_on_rank0(*world(), [&] { throw std::runtime_error("disk full " + message); }),
                      Catch::EndsWith("the write on rank 0 failed: disk full " + message));
  }
  SECTION("only rank 0 writes") {
    int calls = 0;
    dist::save_on_rank0(*world(), [&] { ++calls; });
    CHECK(calls == (rank == 0 ? 1 : 0));
  }
}
