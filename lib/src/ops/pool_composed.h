// Max and average pooling and their backward passes composed from core primitives (index_select, max along a
// dim, scatter_add, index_add) for backends without fused pooling. pool.cpp records each as one op, as it
// records the fused kernels; these run with grad mode off. NCHW, 4-D.
#pragma once

#include <tuple>

#include "backend.h"
#include "wick/tensor.h"

namespace wick::detail {

// The maxima [N, C, OH, OW] and each one's flat index within its input plane (int64), as max_pool2d returns.
std::tuple<Tensor, Tensor> composed_max_pool2d(const Tensor& x, const PoolParams& p, IntArrayRef out_sizes);
// Each gradient added at its maximum's index.
Tensor composed_max_pool2d_backward(const Tensor& gy, const Tensor& indices, IntArrayRef input_sizes);
Tensor composed_avg_pool2d(const Tensor& x, const PoolParams& p, IntArrayRef out_sizes);
Tensor composed_avg_pool2d_backward(const Tensor& gy, IntArrayRef input_sizes, const PoolParams& p);

}  // namespace wick::detail
