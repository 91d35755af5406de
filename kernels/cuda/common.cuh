// What every .cu file of the CUDA backend shares: error checks that turn CUDA failures into wick::Error,
// the element types behind each ScalarType (half and bfloat16 compute in float), dtype dispatch, and the
// calling thread's device and stream. Private to kernels/cuda/: no header above kernels/ includes it.
#pragma once

#include <cuda_bf16.h>
#include <cuda_fp16.h>
#include <cuda_runtime.h>

#include <cstdint>
#include <type_traits>

#include "backend.h"
#include "wick/error.h"

namespace wick::cuda {

// ---- errors -----------------------------------------------------------------------------------------
// Throws wick::Error("wick::<op>: <call> failed: <CUDA message> (<error name>)").
[[noreturn]] void throw_cuda_error(const char* op, const char* call, cudaError_t err);

#define WICK_CUDA_CHECK(op, call)                                                                            \
  do {                                                                                                       \
    const cudaError_t wick_err_ = (call);                                                                    \
    if (__builtin_expect(wick_err_ != cudaSuccess, 0)) ::wick::cuda::throw_cuda_error(op, #call, wick_err_); \
  } while (0)

// After a <<<...>>> launch: configuration errors surface here, naming the kernel.
inline void check_launch(const char* op, const char* kernel) {
  const cudaError_t err = cudaGetLastError();
  if (__builtin_expect(err != cudaSuccess, 0)) throw_cuda_error(op, kernel, err);
}

// ---- devices and streams (runtime.cu) --------------------------------------------------------------
inline constexpr int kMaxDevices = 16;

int device_count();    // 0 when no device or no driver
int current_device();  // the calling thread's device
void set_current_device(int device);
cudaStream_t stream_for(int device);   // the calling thread's own stream on `device`, created on first use
cudaStream_t peek_stream(int device);  // like stream_for, but nullptr when the thread has none yet
int sm_count(int device);
// The device that owns the memory `p` points into (only asked when more than one device exists).
int device_of_pointer(const void* p);

// The stream kernels of the calling thread run on, after switching to the device that owns `data` when
// the machine has several.
inline cudaStream_t launch_stream(const void* data) {
  if (device_count() > 1) set_current_device(device_of_pointer(data));
  return stream_for(current_device());
}

// ---- errors found inside kernels -------------------------------------------------------------------
// Kernels cannot throw: an out-of-range index or an integer division by zero is written into a small
// mapped host record, the element is skipped, and the next synchronisation point (copy to the host,
// synchronize()) throws a wick::Error naming the op and the values.
enum class KernelFault : int { None = 0, IndexOutOfRange, IntegerDivisionByZero, NegativeIntegerPower };
enum class FaultOp : int { IndexSelect, IndexAdd, Gather, Scatter, ScatterAdd, Div, Remainder, Pow, Other };

struct FaultRecord {
  int code;  // KernelFault; 0 = nothing happened
  int op;    // FaultOp
  int dim;
  int pad;
  long long value;
  long long size;
};

FaultRecord* fault_record(int device);  // device-visible pointer
void raise_pending_fault(int device);   // throws (and clears) a recorded fault; call after a sync

__device__ inline void report_fault(FaultRecord* rec, KernelFault code, FaultOp op, int dim, long long value,
                                    long long size) {
  if (atomicCAS(&rec->code, 0, -1) == 0) {
    rec->op = int(op);
    rec->dim = dim;
    rec->value = value;
    rec->size = size;
    __threadfence_system();
    atomicExch(&rec->code, int(code));
  }
}

// ---- element types ---------------------------------------------------------------------------------
using half_t = __half;
using bf16_t = __nv_bfloat16;

template <class T>
inline constexpr bool is_16bit_float_v = std::is_same_v<T, half_t> || std::is_same_v<T, bf16_t>;
template <class T>
inline constexpr bool is_float_v = is_16bit_float_v<T> || std::is_floating_point_v<T>;

// The type arithmetic happens in: float for the 16-bit formats, the type itself otherwise.
template <class T>
using acc_t = std::conditional_t<is_16bit_float_v<T>, float, T>;

// bfloat16 rounding exactly as wick::BFloat16 on the host (NaN stays NaN), so both devices agree bit for bit.
__host__ __device__ inline bf16_t bf16_from_float(float f) {
#ifdef __CUDA_ARCH__
  uint32_t x = __float_as_uint(f);
#else
  uint32_t x;
  __builtin_memcpy(&x, &f, 4);
#endif
  uint16_t b;
  if ((x & 0x7fffffffu) > 0x7f800000u) {
    b = uint16_t((x >> 16) | 0x40u);
  } else {
    x += 0x7fffu + ((x >> 16) & 1u);
    b = uint16_t(x >> 16);
  }
  __nv_bfloat16_raw raw;
  raw.x = b;
  return bf16_t(raw);
}

template <class T>
__host__ __device__ __forceinline__ acc_t<T> to_acc(T v) {
  if constexpr (std::is_same_v<T, half_t>)
    return __half2float(v);
  else if constexpr (std::is_same_v<T, bf16_t>)
    return __bfloat162float(v);
  else
    return v;
}

// A value of any arithmetic type stored as T, with the host CPU backend's conversion rules: to bool is
// "!= 0", to a 16-bit float goes through float (so double -> half rounds twice, exactly as on the CPU).
template <class T, class V>
__host__ __device__ __forceinline__ T from_value(V v) {
  if constexpr (std::is_same_v<T, V>)
    return v;
  else if constexpr (is_16bit_float_v<V>)
    return from_value<T>(to_acc(v));
  else if constexpr (std::is_same_v<T, bool>)
    return v != V(0);
  else if constexpr (std::is_same_v<T, half_t>)
    return __float2half_rn(static_cast<float>(v));
  else if constexpr (std::is_same_v<T, bf16_t>)
    return bf16_from_float(static_cast<float>(v));
  else
    return static_cast<T>(v);
}

// ---- dtype dispatch ---------------------------------------------------------------------------------
template <class T>
struct Tag {
  using type = T;
};

// f(Tag<T>{}) with the device element type of `t`.
template <class F>
decltype(auto) dispatch_all(ScalarType t, const char* op, F&& f) {
  switch (t) {
    case ScalarType::Bool: return f(Tag<bool>{});
    case ScalarType::UInt8: return f(Tag<uint8_t>{});
    case ScalarType::Int8: return f(Tag<int8_t>{});
    case ScalarType::Int32: return f(Tag<int32_t>{});
    case ScalarType::Int64: return f(Tag<int64_t>{});
    case ScalarType::Half: return f(Tag<half_t>{});
    case ScalarType::BFloat16: return f(Tag<bf16_t>{});
    case ScalarType::Float: return f(Tag<float>{});
    case ScalarType::Double: return f(Tag<double>{});
  }
  fail(op, "unsupported dtype");
}

template <class F>
decltype(auto) dispatch_floating(ScalarType t, const char* op, F&& f) {
  switch (t) {
    case ScalarType::Half: return f(Tag<half_t>{});
    case ScalarType::BFloat16: return f(Tag<bf16_t>{});
    case ScalarType::Float: return f(Tag<float>{});
    case ScalarType::Double: return f(Tag<double>{});
    default: break;
  }
  fail(op, "expected a floating point dtype (float16, bfloat16, float32 or float64), got ", dtype_name(t));
}

// Unsigned carriers of 1, 2, 4 and 8 bytes: copies that only move bits.
template <class F>
decltype(auto) dispatch_by_size(ScalarType t, F&& f) {
  switch (element_size(t)) {
    case 1: return f(Tag<uint8_t>{});
    case 2: return f(Tag<uint16_t>{});
    case 4: return f(Tag<uint32_t>{});
    default: return f(Tag<uint64_t>{});
  }
}

// ---- launch helpers ---------------------------------------------------------------------------------
inline constexpr int kBlock = 256;

inline unsigned blocks_for(int64_t work, int64_t per_block) {
  int64_t b = (work + per_block - 1) / per_block;
  if (b < 1) b = 1;
  if (b > 0x7fffffff) b = 0x7fffffff;  // grid-stride loops cover the rest
  return unsigned(b);
}

inline int64_t next_pow2(int64_t v) {
  int64_t p = 1;
  while (p < v) p <<= 1;
  return p;
}

}  // namespace wick::cuda
