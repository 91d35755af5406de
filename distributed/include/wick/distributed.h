// wick::distributed: LibTorch's c10d process groups (ProcessGroupMPI over Open MPI for CPU tensors,
// ProcessGroupNCCL over NCCL for CUDA tensors, where the build has CUDA) and DistributedDataParallel. Built when
// meson finds MPI or NCCL (-Ddistributed=auto|enabled|disabled; -Dmpi=auto|enabled|disabled for the MPI group), as
// its own library, wick_distributed, so that libwick stays free of both. WICK_DISTRIBUTED_MPI, among the compile
// flags the library's dependency (and `pkg-config --cflags wick_distributed`) hands out, says the MPI group is in.
#pragma once

#include "wick/distributed/distributed_data_parallel.h"
#include "wick/distributed/process_group.h"
#ifdef WICK_DISTRIBUTED_MPI
#include "wick/distributed/process_group_mpi.h"
#endif
#include "wick/distributed/process_group_nccl.h"
#include "wick/distributed/reducer.h"
#include "wick/distributed/save_on_rank0.h"
#include "wick/distributed/store.h"
#include "wick/distributed/types.h"
#include "wick/distributed/work.h"
