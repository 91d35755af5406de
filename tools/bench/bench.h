// The bench harness's one shared type. Each library's workloads live in their own translation unit
// (LibTorch's headers are huge, and neither side sees the other's); the harness only sees named loops.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>

namespace bench {

// run(n) performs n iterations of one workload. The loop sits inside the library's own translation
// unit, so the harness's type erasure is paid once per repetition, never per iteration.
using Loop = std::function<void(int64_t n)>;
// Set-up (tensors, models, optimizers) runs when the harness asks for the loop, so that a filtered run or
// a profiled single workload builds only what it uses. Keys are "workload.side": "mm_256.torch".
using Setup = std::function<Loop()>;
using Workloads = std::map<std::string, Setup>;

// One thread everywhere: the library's own pool, OpenMP (oneDNN), and for LibTorch its BLAS.
void add_wick_workloads(Workloads& out);
void add_torch_workloads(Workloads& out);
void add_reference_workloads(Workloads& out);  // dnnl_sgemm called directly, memcpy

// What LibTorch says about its build (BLAS, oneDNN, OpenMP), and which BLAS it really resolved at run time.
std::string torch_build_info();

}  // namespace bench
