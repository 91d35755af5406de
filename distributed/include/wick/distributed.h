// wick::distributed: LibTorch's c10d process groups (ProcessGroupMPI over Open MPI for CPU tensors,
// ProcessGroupNCCL over NCCL for CUDA tensors, where the build has CUDA) and DistributedDataParallel. Built when
// meson finds MPI (-Ddistributed=auto|enabled|disabled), as its own library, wick_distributed, so that libwick
// stays free of MPI.
#pragma once

#include "wick/distributed/distributed_data_parallel.h"
#include "wick/distributed/process_group.h"
#include "wick/distributed/process_group_mpi.h"
#include "wick/distributed/process_group_nccl.h"
#include "wick/distributed/reducer.h"
#include "wick/distributed/save_on_rank0.h"
#include "wick/distributed/store.h"
#include "wick/distributed/types.h"
#include "wick/distributed/work.h"
