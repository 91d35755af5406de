// nn::init: in-place initialisers with PyTorch's gains and fans. They run without recording, so they work
// on parameters that require grad.
#include "wick/nn/init.h"

#include <cmath>
#include <vector>

#include "wick/grad_mode.h"
#include "wick/ops.h"

namespace wick::nn::init {

double calculate_gain(NonlinearityType nonlinearity, double param) {
  switch (nonlinearity.tag()) {
    case enumtype::Tag::Tanh: return 5.0 / 3.0;
    case enumtype::Tag::ReLU: return std::sqrt(2.0);
    case enumtype::Tag::LeakyReLU: return std::sqrt(2.0 / (1 + param * param));
    default: return 1.0;  // linear, conv*, sigmoid
  }
}

std::tuple<int64_t, int64_t> _calculate_fan_in_and_fan_out(const Tensor& tensor) {
  WICK_CHECK(tensor.dim() >= 2, "nn::init",
             "fan in and fan out can not be computed for a tensor with fewer than 2 dimensions (shape ",
             shape_str(tensor.sizes()), ")");
  int64_t receptive = 1;
  for (int64_t d = 2; d < tensor.dim(); ++d) receptive *= tensor.size(d);
  return {tensor.size(1) * receptive, tensor.size(0) * receptive};
}

namespace {
double fan(const Tensor& t, FanModeType mode) {
  auto [fan_in, fan_out] = _calculate_fan_in_and_fan_out(t);
  return double(mode.is<enumtype::kFanIn>() ? fan_in : fan_out);
}

// Householder QR of an m x n (m >= n) row-major matrix: the first n columns of Q, signs fixed so that R's
// diagonal is positive (as PyTorch's orthogonal_ does with q *= sign(diag(r))).
std::vector<double> orthonormal_columns(std::vector<double> a, int64_t m, int64_t n) {
  std::vector<std::vector<double>> vs;
  for (int64_t k = 0; k < n; ++k) {
    std::vector<double> v(size_t(m - k));
    double norm = 0;
    for (int64_t i = k; i < m; ++i) norm += a[size_t(i * n + k)] * a[size_t(i * n + k)];
    norm = std::sqrt(norm);
    const double alpha = a[size_t(k * n + k)] > 0 ? -norm : norm;
    for (int64_t i = k; i < m; ++i) v[size_t(i - k)] = a[size_t(i * n + k)];
    v[0] -= alpha;
    double vnorm = 0;
    for (double x : v) vnorm += x * x;
    if (vnorm > 0)
      for (int64_t j = k; j < n; ++j) {  // a = (I - 2 v v^T / v^T v) a
        double dot = 0;
        for (int64_t i = k; i < m; ++i) dot += v[size_t(i - k)] * a[size_t(i * n + j)];
        for (int64_t i = k; i < m; ++i) a[size_t(i * n + j)] -= 2 * dot / vnorm * v[size_t(i - k)];
      }
    vs.push_back(std::move(v));
  }
  // Q = H_0 H_1 ... H_{n-1} applied to the first n columns of the identity; R's diagonal is a[k, k].
  std::vector<double> q(size_t(m * n), 0.0);
  for (int64_t j = 0; j < n; ++j) q[size_t(j * n + j)] = 1;
  for (int64_t k = n - 1; k >= 0; --k) {
    const std::vector<double>& v = vs[size_t(k)];
    double vnorm = 0;
    for (double x : v) vnorm += x * x;
    if (vnorm == 0) continue;
    for (int64_t j = 0; j < n; ++j) {
      double dot = 0;
      for (int64_t i = k; i < m; ++i) dot += v[size_t(i - k)] * q[size_t(i * n + j)];
      for (int64_t i = k; i < m; ++i) q[size_t(i * n + j)] -= 2 * dot / vnorm * v[size_t(i - k)];
    }
  }
  for (int64_t j = 0; j < n; ++j)
    if (a[size_t(j * n + j)] < 0)
      for (int64_t i = 0; i < m; ++i) q[size_t(i * n + j)] = -q[size_t(i * n + j)];
  return q;
}
}  // namespace

Tensor uniform_(Tensor tensor, double low, double high) {
  NoGradGuard no_grad;
  tensor.uniform_(low, high);
  return tensor;
}

Tensor normal_(Tensor tensor, double mean, double std) {
  NoGradGuard no_grad;
  tensor.normal_(mean, std);
  return tensor;
}

Tensor constant_(Tensor tensor, Scalar value) {
  NoGradGuard no_grad;
  tensor.fill_(value);
  return tensor;
}

Tensor zeros_(Tensor tensor) { return constant_(std::move(tensor), 0); }
Tensor ones_(Tensor tensor) { return constant_(std::move(tensor), 1); }

Tensor eye_(Tensor matrix) {
  WICK_CHECK(matrix.dim() == 2, "nn::init::eye_", "only 2-D tensors are supported, got shape ",
             shape_str(matrix.sizes()));
  NoGradGuard no_grad;
  matrix.copy_(eye(matrix.size(0), matrix.size(1), matrix.options()));
  return matrix;
}

Tensor xavier_uniform_(Tensor tensor, double gain) {
  auto [fan_in, fan_out] = _calculate_fan_in_and_fan_out(tensor);
  const double a = std::sqrt(3.0) * gain * std::sqrt(2.0 / double(fan_in + fan_out));
  return uniform_(std::move(tensor), -a, a);
}

Tensor xavier_normal_(Tensor tensor, double gain) {
  auto [fan_in, fan_out] = _calculate_fan_in_and_fan_out(tensor);
  return normal_(std::move(tensor), 0, gain * std::sqrt(2.0 / double(fan_in + fan_out)));
}

Tensor kaiming_uniform_(Tensor tensor, double a, FanModeType mode, NonlinearityType nonlinearity) {
  const double bound = std::sqrt(3.0) * calculate_gain(nonlinearity, a) / std::sqrt(fan(tensor, mode));
  return uniform_(std::move(tensor), -bound, bound);
}

Tensor kaiming_normal_(Tensor tensor, double a, FanModeType mode, NonlinearityType nonlinearity) {
  // Computed before the call: the argument that moves `tensor` may be evaluated first (clang does).
  const double stddev = calculate_gain(nonlinearity, a) / std::sqrt(fan(tensor, mode));
  return normal_(std::move(tensor), 0, stddev);
}

Tensor orthogonal_(Tensor tensor, double gain) {
  WICK_CHECK(tensor.dim() >= 2, "nn::init::orthogonal_",
             "only tensors with 2 or more dimensions are supported, got shape ", shape_str(tensor.sizes()));
  NoGradGuard no_grad;
  const int64_t rows = tensor.size(0), cols = tensor.numel() / std::max<int64_t>(rows, 1);
  if (tensor.numel() == 0) return tensor;
  // Orthonormalise the columns of a tall normal sample; a wide matrix is the transpose of a tall one.
  const int64_t m = std::max(rows, cols), n = std::min(rows, cols);
  const Tensor sample = randn({m, n}, dtype(kDouble)).contiguous();
  std::vector<double> a(sample.data_ptr<double>(), sample.data_ptr<double>() + m * n);
  Tensor q = wick::tensor(orthonormal_columns(std::move(a), m, n), dtype(kDouble)).view({m, n});
  if (rows < cols) q = q.t();
  tensor.copy_((q * gain).reshape(tensor.sizes()).to(tensor.device(), tensor.dtype()));
  return tensor;
}

}  // namespace wick::nn::init
