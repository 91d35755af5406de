// index_select, index_add, gather and scatter. Each presents the indexed tensor with stride 0 along `dim`
// and walks it together with the index, adding index * stride(dim) per element; indices are checked
// against the dim's size here, where they are read.
#include <cstring>

#include "common/wrapping.h"
#include "cpu_backend.h"
#include "dispatch.h"
#include "loops.h"

namespace wick::cpu {
namespace {

inline int64_t checked_index(const char* op, const char* p, ScalarType t, int64_t size, int dim) {
  const int64_t i = t == kInt64 ? *reinterpret_cast<const int64_t*>(p) : int64_t(*reinterpret_cast<const int32_t*>(p));
  WICK_CHECK(i >= 0 && i < size, op, "index ", i, " is out of bounds for dim ", dim, " with size ", size);
  return i;
}

struct Dims {
  int64_t sizes[kMaxDims];
  int64_t strides[kMaxDims];
};

// `v` presented with `shape` and stride 0 along dim (the index supplies that coordinate).
View along(const View& v, const int64_t* shape, int ndim, int dim, Dims& storage) {
  for (int d = 0; d < ndim; ++d) {
    storage.sizes[d] = shape[d];
    storage.strides[d] = d == dim ? 0 : v.strides[d];
  }
  return View{v.data, v.dtype, ndim, storage.sizes, storage.strides};
}

}  // namespace

void CpuBackend::index_select(const View& out, const View& in, int dim, const View& index) {
  Dims a, b;
  const View src = along(in, out.sizes, out.ndim, dim, a);
  for (int d = 0; d < out.ndim; ++d) {  // index walks along dim only
    b.sizes[d] = out.sizes[d];
    b.strides[d] = d == dim ? index.strides[0] : 0;
  }
  const View idx{index.data, index.dtype, out.ndim, b.sizes, b.strides};
  const int64_t E = element_size(in.dtype), step = in.strides[dim] * E, size = in.sizes[dim];
  StridedLoop<3>({&out, &src, &idx}).run([&](char** p, const int64_t* s, int64_t n) {
    for (int64_t i = 0; i < n; ++i) {
      const int64_t k = checked_index("index_select", p[2] + i * s[2], index.dtype, size, dim);
      std::memcpy(p[0] + i * s[0], p[1] + i * s[1] + k * step, size_t(E));
    }
  });
}

void CpuBackend::gather(const View& out, const View& in, int dim, const View& index) {
  Dims a;
  const View src = along(in, out.sizes, out.ndim, dim, a);
  const int64_t E = element_size(in.dtype), step = in.strides[dim] * E, size = in.sizes[dim];
  StridedLoop<3>({&out, &src, &index}).run([&](char** p, const int64_t* s, int64_t n) {
    for (int64_t i = 0; i < n; ++i) {
      const int64_t k = checked_index("gather", p[2] + i * s[2], index.dtype, size, dim);
      std::memcpy(p[0] + i * s[0], p[1] + i * s[1] + k * step, size_t(E));
    }
  });
}

void CpuBackend::scatter(const View& out, int dim, const View& index, const View& src, bool accumulate) {
  Dims a;
  const View dst = along(out, index.sizes, index.ndim, dim, a);
  const int64_t step = out.strides[dim] * element_size(out.dtype), size = out.sizes[dim];
  const char* op = accumulate ? "scatter_add" : "scatter";
  dispatch_all(out.dtype, op, [&]<class T>() {
    StridedLoop<3> loop({&dst, &index, &src});
    auto row = [&](char** p, const int64_t* s, int64_t n) {
      for (int64_t i = 0; i < n; ++i) {
        const int64_t k = checked_index(op, p[1] + i * s[1], index.dtype, size, dim);
        T* target = reinterpret_cast<T*>(p[0] + i * s[0] + k * step);
        const T v = *reinterpret_cast<const T*>(p[2] + i * s[2]);
        if (accumulate) {
          if constexpr (std::is_same_v<T, bool>)
            *target = *target || v;
          else
            *target = kernels::wrapping_add(*target, v);
        } else {
          *target = v;
        }
      }
    };
    loop.run_range(0, loop.numel(), row);  // one thread: several elements may land on one target
  });
}

void CpuBackend::index_add(const View& out, int dim, const View& index, const View& src) {
  Dims a, b;
  const View dst = along(out, src.sizes, src.ndim, dim, a);
  for (int d = 0; d < src.ndim; ++d) {
    b.sizes[d] = src.sizes[d];
    b.strides[d] = d == dim ? index.strides[0] : 0;
  }
  const View idx{index.data, index.dtype, src.ndim, b.sizes, b.strides};
  const int64_t step = out.strides[dim] * element_size(out.dtype), size = out.sizes[dim];
  dispatch_all(out.dtype, "index_add", [&]<class T>() {
    StridedLoop<3> loop({&dst, &idx, &src});
    auto row = [&](char** p, const int64_t* s, int64_t n) {
      for (int64_t i = 0; i < n; ++i) {
        const int64_t k = checked_index("index_add", p[1] + i * s[1], index.dtype, size, dim);
        T* target = reinterpret_cast<T*>(p[0] + i * s[0] + k * step);
        if constexpr (std::is_same_v<T, bool>)
          *target = *target || *reinterpret_cast<const T*>(p[2] + i * s[2]);
        else
          *target = kernels::wrapping_add(*target, *reinterpret_cast<const T*>(p[2] + i * s[2]));
      }
    };
    loop.run_range(0, loop.numel(), row);
  });
}

}  // namespace wick::cpu
