#include "job.h"

#include <wick/distributed.h>
#include <wick/wick.h>

#include <cstdlib>
#include <filesystem>
#include <memory>
#include <stdexcept>
#include <vector>

#ifdef WICK_DISTRIBUTED_MPI
#include "world.h"
#endif

namespace wick::test {
namespace {

int env_int(const char* name) {
  const char* value = std::getenv(name);
  if (!value) throw std::runtime_error(std::string("tools/launch_ranks sets ") + name + ", and it is not set");
  return std::atoi(value);
}

// The job's folder is removed when the program ends: by tools/launch_ranks when it made it, else by rank 0 once
// every rank is done with it. This runs before MPI is finalised: MPI registered its exit handler when the world
// group was made, before this object was complete.
struct OwnedJob : Job {
  ~OwnedJob() {
    if (launched || folder.empty()) return;
#ifdef WICK_DISTRIBUTED_MPI
    world()->barrier()->wait();
#endif
    if (rank == 0) std::filesystem::remove_all(folder);
  }
};

Job make_job() {
  Job j;
  if (std::getenv("WICK_JOB_DIR")) {
    j.rank = env_int("RANK");
    j.size = env_int("WORLD_SIZE");
    j.folder = std::getenv("WICK_JOB_DIR");
    j.launched = true;
    return j;
  }
#ifdef WICK_DISTRIBUTED_MPI
  j.rank = world()->getRank();
  j.size = world()->getSize();
  std::vector<Tensor> name{zeros({256}, TensorOptions().dtype(kUInt8))};
  if (j.rank == 0) {
    std::string pattern = (std::filesystem::temp_directory_path() / "wick-job-XXXXXX").string();
    if (!mkdtemp(pattern.data()) || pattern.size() >= 256) throw std::runtime_error("cannot make " + pattern);
    std::copy(pattern.begin(), pattern.end(), static_cast<char*>(name[0].data_ptr()));
  }
  world()->broadcast(name)->wait();
  j.folder = static_cast<const char*>(name[0].data_ptr());
#else
  // One process, nobody to share with: a folder of its own.
  std::string pattern = (std::filesystem::temp_directory_path() / "wick-job-XXXXXX").string();
  if (!mkdtemp(pattern.data())) throw std::runtime_error("cannot make " + pattern);
  j.folder = pattern;
#endif
  return j;
}

}  // namespace

const Job& job() {
  static OwnedJob j{make_job()};
  return j;
}

std::string job_folder(const std::string& name) {
  const std::string path = job().folder + "/" + name;
  std::filesystem::create_directories(path);
  return path;
}

void job_barrier() {
#ifdef WICK_DISTRIBUTED_MPI
  if (!job().launched) {
    world()->barrier()->wait();
    return;
  }
#endif
  // Barrier n: each rank sets its key, then waits for every rank's.
  static distributed::FileStore store(job_folder("barriers") + "/store", job().size);
  static int n = 0;
  const std::string prefix = "barrier " + std::to_string(n++) + " rank ";
  store.set(prefix + std::to_string(job().rank), {1});
  std::vector<std::string> keys;
  for (int r = 0; r < job().size; ++r) keys.push_back(prefix + std::to_string(r));
  store.wait(keys);
}

}  // namespace wick::test
