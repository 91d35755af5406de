// The strided loop under every elementwise kernel. Operands share one shape (lib/ broadcast them);
// dims that can be walked as one are merged, and the kernel is called once per innermost row with
// byte pointers and byte strides. Large loops are split across the thread pool by output element.
#pragma once

#include <array>
#include <cstdint>

#include "backend.h"
#include "wick/error.h"
#include "thread_pool.h"

namespace wick::cpu {

inline constexpr int kMaxDims = 16;

template <int N>  // N operands, operand 0 is the output
struct StridedLoop {
  int ndim = 0;
  int64_t sizes[kMaxDims];
  int64_t strides[N][kMaxDims];  // bytes
  char* base[N];

  explicit StridedLoop(const std::array<const View*, N>& views) {
    const View& out = *views[0];
    WICK_CHECK(out.ndim <= kMaxDims, "cpu", "tensors of more than ", kMaxDims, " dims are not supported");
    for (int k = 0; k < N; ++k) base[k] = static_cast<char*>(views[k]->data);
    for (int d = 0; d < out.ndim; ++d)
      if (out.sizes[d] == 0) {  // nothing to visit, and an empty tensor's strides need not fit in bytes
        ndim = 1;
        sizes[0] = 0;
        for (int k = 0; k < N; ++k) strides[k][0] = 0;
        return;
      }
    // Drop size-1 dims, keep order (outermost first).
    for (int d = 0; d < out.ndim; ++d) {
      if (out.sizes[d] == 1) continue;
      sizes[ndim] = out.sizes[d];
      for (int k = 0; k < N; ++k) strides[k][ndim] = views[k]->strides[d] * element_size(views[k]->dtype);
      ++ndim;
    }
    coalesce();
    if (ndim == 0) {  // a single element
      sizes[0] = 1;
      for (int k = 0; k < N; ++k) strides[k][0] = 0;
      ndim = 1;
    }
  }

  // Merges dim d into d+1 whenever every operand steps over them as one dim.
  void coalesce() {
    if (ndim < 2) return;
    int out = 0;
    for (int d = 1; d < ndim; ++d) {
      bool mergeable = true;
      for (int k = 0; k < N; ++k)
        if (strides[k][out] != strides[k][d] * sizes[d]) mergeable = false;
      if (mergeable) {
        sizes[out] *= sizes[d];
        for (int k = 0; k < N; ++k) strides[k][out] = strides[k][d];
      } else {
        ++out;
        sizes[out] = sizes[d];
        for (int k = 0; k < N; ++k) strides[k][out] = strides[k][d];
      }
    }
    ndim = out + 1;
  }

  int64_t numel() const {
    int64_t n = 1;
    for (int d = 0; d < ndim; ++d) n *= sizes[d];
    return n;
  }

  // row(ptrs, inner_strides, n) for each innermost row segment covering elements [begin, end).
  template <class Row>
  void run_range(int64_t begin, int64_t end, Row& row) const {
    const int64_t inner = sizes[ndim - 1];
    int64_t idx[kMaxDims] = {};
    int64_t rest = begin / inner;
    for (int d = ndim - 2; d >= 0; --d) {
      idx[d] = rest % sizes[d];
      rest /= sizes[d];
    }
    int64_t col = begin % inner;
    int64_t inner_strides[N];
    for (int k = 0; k < N; ++k) inner_strides[k] = strides[k][ndim - 1];
    int64_t pos = begin;
    while (pos < end) {
      char* ptrs[N];
      for (int k = 0; k < N; ++k) {
        int64_t off = col * strides[k][ndim - 1];
        for (int d = 0; d < ndim - 1; ++d) off += idx[d] * strides[k][d];
        ptrs[k] = base[k] + off;
      }
      const int64_t n = std::min(inner - col, end - pos);
      row(ptrs, inner_strides, n);
      pos += n;
      col = 0;
      for (int d = ndim - 2; d >= 0; --d) {
        if (++idx[d] < sizes[d]) break;
        idx[d] = 0;
      }
    }
  }

  template <class Row>
  void run(Row&& row, int64_t grain = kElementwiseGrain) const {
    parallel_for(0, numel(), grain, [&](int64_t b, int64_t e) { run_range(b, e, row); });
  }
};

}  // namespace wick::cpu
