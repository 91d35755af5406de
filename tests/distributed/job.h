// Who this process is in a test job, however the job was started: by tools/launch_ranks (RANK, WORLD_SIZE and a
// shared WICK_JOB_DIR in the environment, as torchrun sets them: no MPI needed, what a GPU machine without MPI
// runs) or, where wick_distributed has the MPI group, by mpirun (the world group's rank and size, and a folder
// rank 0 makes and broadcasts). The store and NCCL cases run either way; the MPI group's cases need mpirun.
#pragma once

#include <string>

namespace wick::test {

struct Job {
  int rank = 0;
  int size = 1;
  std::string folder;     // shared by every rank of the job, fresh for it
  bool launched = false;  // by tools/launch_ranks (else by mpirun, or a single process)
};

const Job& job();

// A folder of the job's for one test case (every rank names it alike), made if missing.
std::string job_folder(const std::string& name);

// Returns once every rank of the job has called it as often (through a FileStore in the job's folder, or the MPI
// world group's barrier).
void job_barrier();

}  // namespace wick::test
