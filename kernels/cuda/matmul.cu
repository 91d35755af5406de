// Batched matmul through cuBLAS (strided batched GEMM; transposed operands are flags, not copies), and the
// lazy loading of cuBLAS itself. float32 runs in full precision unless set_allow_tf32(true); float16 and
// bfloat16 accumulate in float32.
#include <cublas_v2.h>
#include <dlfcn.h>

#include <atomic>
#include <climits>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "allocator.h"
#include "backend_impl.h"
#include "blas.h"
#include "common.cuh"

#ifndef WICK_CUDA_LIBDIR
#define WICK_CUDA_LIBDIR "/usr/local/cuda/lib64"
#endif

namespace wick::cuda {
namespace {

// ---- cuBLAS, loaded on first use ------------------------------------------------------------------------
struct CublasApi {
  cublasStatus_t (*create)(cublasHandle_t*) = nullptr;
  cublasStatus_t (*set_stream)(cublasHandle_t, cudaStream_t) = nullptr;
  cublasStatus_t (*set_workspace)(cublasHandle_t, void*, size_t) = nullptr;
  cublasStatus_t (*set_math_mode)(cublasHandle_t, cublasMath_t) = nullptr;
  const char* (*status_string)(cublasStatus_t) = nullptr;
  cublasStatus_t (*gemm_strided_batched)(cublasHandle_t, cublasOperation_t, cublasOperation_t, int, int, int,
                                         const void*, const void*, cudaDataType, int, long long, const void*,
                                         cudaDataType, int, long long, const void*, void*, cudaDataType, int, long long,
                                         int, cublasComputeType_t, cublasGemmAlgo_t) = nullptr;
};

const CublasApi& cublas() {
  static const CublasApi api = [] {
    const std::string soname = "libcublas.so." + std::to_string(CUBLAS_VER_MAJOR);
    void* lib = nullptr;
    for (const std::string& name :
         {soname, std::string(WICK_CUDA_LIBDIR) + "/" + soname, std::string("libcublas.so")}) {
      lib = dlopen(name.c_str(), RTLD_NOW | RTLD_LOCAL);
      if (lib) break;
    }
    if (!lib) fail("matmul", "cannot load cuBLAS (", soname, "): ", dlerror());
    CublasApi a;
    auto sym = [&](auto& fn, const char* name) {
      fn = reinterpret_cast<std::remove_reference_t<decltype(fn)>>(dlsym(lib, name));
      if (!fn) fail("matmul", "cuBLAS (", soname, ") has no symbol ", name);
    };
    sym(a.create, "cublasCreate_v2");
    sym(a.set_stream, "cublasSetStream_v2");
    sym(a.set_workspace, "cublasSetWorkspace_v2");
    sym(a.set_math_mode, "cublasSetMathMode");
    sym(a.status_string, "cublasGetStatusString");
    sym(a.gemm_strided_batched, "cublasGemmStridedBatchedEx");
    return a;
  }();
  return api;
}

void check_cublas(const char* op, const char* call, cublasStatus_t st) {
  if (st != CUBLAS_STATUS_SUCCESS) fail(op, call, " failed: ", cublas().status_string(st), " (status ", int(st), ")");
}

std::atomic<bool> g_allow_tf32{false};

// One handle per thread and device, bound to the thread's stream, with its own workspace. Handles go back
// to a pool when their thread ends (destroying them during process exit is not safe).
constexpr size_t kWorkspaceBytes = size_t(32) << 20;

struct Handle {
  cublasHandle_t handle = nullptr;
  void* workspace = nullptr;
  int math_mode = -1;
};

struct HandlePool {
  std::mutex mutex;
  std::vector<Handle> free[kMaxDevices];
};
HandlePool& handle_pool() {
  static HandlePool* pool = new HandlePool;
  return *pool;
}

struct ThreadHandles {
  Handle per_device[kMaxDevices];
  ~ThreadHandles() {
    HandlePool& pool = handle_pool();
    std::lock_guard<std::mutex> lock(pool.mutex);
    for (int d = 0; d < kMaxDevices; ++d)
      if (per_device[d].handle) pool.free[d].push_back(per_device[d]);
  }
};
struct ThreadHandlesHolder {  // by pointer: thread-locals stay small (initial-exec TLS)
  ThreadHandles* handles = nullptr;
  ~ThreadHandlesHolder() {
    delete handles;
    handles = nullptr;
  }
};
thread_local ThreadHandlesHolder t_handles;

Handle& handle_for(int device) {
  if (!t_handles.handles) t_handles.handles = new ThreadHandles;
  Handle& h = t_handles.handles->per_device[device];
  if (h.handle) return h;
  const CublasApi& api = cublas();
  {
    HandlePool& pool = handle_pool();
    std::lock_guard<std::mutex> lock(pool.mutex);
    if (!pool.free[device].empty()) {
      h = pool.free[device].back();
      pool.free[device].pop_back();
    }
  }
  if (!h.handle) {
    check_cublas("matmul", "cublasCreate", api.create(&h.handle));
    WICK_CUDA_CHECK("matmul", cudaMalloc(&h.workspace, kWorkspaceBytes));
  }
  // Setting the stream resets the workspace to cuBLAS's default pool, so the workspace is set after it.
  check_cublas("matmul", "cublasSetStream", api.set_stream(h.handle, stream_for(device)));
  check_cublas("matmul", "cublasSetWorkspace", api.set_workspace(h.handle, h.workspace, kWorkspaceBytes));
  return h;
}

cudaDataType data_type(ScalarType t) {
  switch (t) {
    case ScalarType::Half: return CUDA_R_16F;
    case ScalarType::BFloat16: return CUDA_R_16BF;
    case ScalarType::Float: return CUDA_R_32F;
    case ScalarType::Double: return CUDA_R_64F;
    default: fail("matmul", "expected a floating point dtype on CUDA, got ", dtype_name(t));
  }
}

int checked_int(const char* op, int64_t v, const char* what) {
  WICK_CHECK(v >= 0 && v <= INT_MAX, op, what, " ", v, " exceeds what cuBLAS accepts (2^31 - 1)");
  return int(v);
}

}  // namespace

void set_tf32(bool allow) { g_allow_tf32.store(allow); }
bool tf32_allowed() { return g_allow_tf32.load(); }

void gemm(const char* op, ScalarType dtype, int64_t M, int64_t N, int64_t K, const GemmOperand& a, const GemmOperand& b,
          void* c, int64_t ldc, int64_t c_batch_stride, int64_t batch, double alpha, double beta) {
  const int device = current_device();
  Handle& h = handle_for(device);
  const CublasApi& api = cublas();
  const cudaDataType t = data_type(dtype);
  cublasComputeType_t compute = CUBLAS_COMPUTE_32F;
  int mode = CUBLAS_DEFAULT_MATH;
  if (dtype == ScalarType::Double) {
    compute = CUBLAS_COMPUTE_64F;
  } else if (dtype == ScalarType::Float && tf32_allowed()) {
    compute = CUBLAS_COMPUTE_32F_FAST_TF32;
    mode = CUBLAS_TF32_TENSOR_OP_MATH;
  }
  if (h.math_mode != mode) {
    check_cublas(op, "cublasSetMathMode", api.set_math_mode(h.handle, cublasMath_t(mode)));
    h.math_mode = mode;
  }
  const float alpha_f = float(alpha), beta_f = float(beta);
  const void* pa = dtype == ScalarType::Double ? static_cast<const void*>(&alpha) : &alpha_f;
  const void* pb = dtype == ScalarType::Double ? static_cast<const void*>(&beta) : &beta_f;
  // Row-major C = A @ B is column-major C^T = B^T @ A^T: B comes first, and each operand's row-major
  // leading dimension is its column-major one.
  const cublasStatus_t st = api.gemm_strided_batched(
      h.handle, b.trans ? CUBLAS_OP_T : CUBLAS_OP_N, a.trans ? CUBLAS_OP_T : CUBLAS_OP_N, checked_int(op, N, "N"),
      checked_int(op, M, "M"), checked_int(op, K, "K"), pa, b.data, t, checked_int(op, b.ld, "leading dimension"),
      b.batch_stride, a.data, t, checked_int(op, a.ld, "leading dimension"), a.batch_stride, pb, c, t,
      checked_int(op, ldc, "leading dimension"), c_batch_stride, checked_int(op, batch, "batch"), compute,
      CUBLAS_GEMM_DEFAULT);
  check_cublas(op, "cublasGemmStridedBatchedEx", st);
}

namespace {

// How BLAS can read a [rows, cols] view with strides (rs, cs) without a copy, as kernels/cpu/matmul.cpp.
bool blas_layout(int64_t rows, int64_t cols, int64_t rs, int64_t cs, bool& trans, int64_t& ld) {
  if (cs == 1 && (rs >= cols || rows == 1)) {
    trans = false;
    ld = rows == 1 ? (cols > 0 ? cols : 1) : rs;
    return ld >= 1;
  }
  if (rs == 1 && (cs >= rows || cols == 1)) {
    trans = true;
    ld = cols == 1 ? (rows > 0 ? rows : 1) : cs;
    return ld >= 1;
  }
  return false;
}

}  // namespace

void CudaBackend::matmul(const View& out, const View& a, const View& b) {
  const int64_t B = out.sizes[0], M = out.sizes[1], N = out.sizes[2], K = a.sizes[2];
  if (B == 0 || M == 0 || N == 0) return;
  (void)launch_stream(out.data);  // selects the device that owns the output
  data_type(out.dtype);           // rejects integer dtypes with a clear message
  const int device = current_device();
  const int64_t esz = element_size(out.dtype);

  // Operands BLAS cannot read in place (both strides > 1) are packed into contiguous scratch first.
  auto prepare = [&](const View& v, int64_t rows, int64_t cols, GemmOperand& op,
                     std::unique_ptr<ScratchBuffer>& scratch) {
    op.batch_stride = B == 1 ? 0 : v.strides[0];
    op.data = v.data;
    if (blas_layout(rows, cols, v.strides[1], v.strides[2], op.trans, op.ld)) return;
    scratch = std::make_unique<ScratchBuffer>(size_t(B * rows * cols * esz), device);
    const int64_t sizes[3] = {B, rows, cols}, strides[3] = {rows * cols, cols, 1};
    copy(View{scratch->get(), v.dtype, 3, sizes, strides}, View{v.data, v.dtype, 3, sizes, v.strides});
    op = GemmOperand{scratch->get(), false, cols > 0 ? cols : 1, B == 1 ? 0 : rows * cols};
  };
  GemmOperand ga{}, gb{};
  std::unique_ptr<ScratchBuffer> sa, sb;
  prepare(a, M, K, ga, sa);
  prepare(b, K, N, gb, sb);
  WICK_CHECK(out.strides[2] == 1 && (M == 1 || out.strides[1] >= N), "matmul",
             "the CUDA backend expects a contiguous output");
  gemm("matmul", out.dtype, M, N, K, ga, gb, out.data, M == 1 ? N : out.strides[1], B == 1 ? 0 : out.strides[0], B, 1.0,
       0.0);
}

}  // namespace wick::cuda
