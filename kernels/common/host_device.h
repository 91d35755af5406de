// WICK_HOST_DEVICE marks the functions both backends compile: for the host compiler a plain inline function, for
// nvcc one callable from the host and from kernels. Headers under kernels/common/ use only what both accept
// (C++17, no exceptions, no std:: functions that are not constexpr).
#pragma once

#ifdef __CUDACC__
#define WICK_HOST_DEVICE __host__ __device__ __forceinline__
#else
#define WICK_HOST_DEVICE inline
#endif
