// The public op functions, named and shaped as in LibTorch. Every one is listed in the op registry
// (wick/op_registry.h); differentiable ones record themselves on the calling thread's tape.
#pragma once

#include <optional>
#include <string_view>
#include <type_traits>
#include <vector>

#include "wick/tensor.h"
#include "wick/tensor_data.h"

namespace wick {

// ---- creation -----------------------------------------------------------------------------------
Tensor empty(IntArrayRef size, const TensorOptions& options = {});
Tensor zeros(IntArrayRef size, const TensorOptions& options = {});
Tensor ones(IntArrayRef size, const TensorOptions& options = {});
Tensor full(IntArrayRef size, Scalar value, const TensorOptions& options = {});
Tensor arange(Scalar end, const TensorOptions& options = {});
Tensor arange(Scalar start, Scalar end, Scalar step = 1, const TensorOptions& options = {});
Tensor arange(Scalar start, Scalar end, const TensorOptions& options);
Tensor linspace(double start, double end, int64_t steps, const TensorOptions& options = {});
Tensor eye(int64_t n, const TensorOptions& options = {});
Tensor eye(int64_t n, int64_t m, const TensorOptions& options = {});
Tensor rand(IntArrayRef size, const TensorOptions& options = {});
Tensor randn(IntArrayRef size, const TensorOptions& options = {});
Tensor randint(int64_t high, IntArrayRef size, const TensorOptions& options = dtype(kInt64));
Tensor randint(int64_t low, int64_t high, IntArrayRef size, const TensorOptions& options = dtype(kInt64));
Tensor randperm(int64_t n, const TensorOptions& options = dtype(kInt64));
Tensor bernoulli(const Tensor& p);
// num_samples category indices (int64) per row of non-negative weights (1-D or 2-D; rows need not sum to 1),
// drawn with or without replacement, as torch.multinomial.
Tensor multinomial(const Tensor& probs, int64_t num_samples, bool replacement = false);
Tensor empty_like(const Tensor& t, const TensorOptions& options = {});
Tensor zeros_like(const Tensor& t, const TensorOptions& options = {});
Tensor ones_like(const Tensor& t, const TensorOptions& options = {});
Tensor full_like(const Tensor& t, Scalar value, const TensorOptions& options = {});
Tensor rand_like(const Tensor& t, const TensorOptions& options = {});
Tensor randn_like(const Tensor& t, const TensorOptions& options = {});
Tensor scalar_tensor(Scalar value, const TensorOptions& options = {});

// tensor(1.5), tensor({1.f, 2.f}), tensor({{1, 2}, {3, 4}}) and tensor(std::vector<T>) copy the values, with
// LibTorch's dtypes (float32 for floating values, int64 for integers; see TensorData) unless options give one.
Tensor tensor(const TensorData& data, const TensorOptions& options = {});

// Wraps existing memory without copying. The deleter, if given, runs when the last view dies.
Tensor from_blob(void* data, IntArrayRef sizes, const TensorOptions& options = {});
Tensor from_blob(void* data, IntArrayRef sizes, IntArrayRef strides, const TensorOptions& options = {});
// Only callables take this overload: from_blob(p, sizes, dtype(kInt32)) must reach the options one above.
template <class Deleter, std::enable_if_t<std::is_invocable_v<std::decay_t<Deleter>&, void*>, int> = 0>
Tensor from_blob(void* data, IntArrayRef sizes, Deleter&& deleter, const TensorOptions& options = {});

// ---- elementwise --------------------------------------------------------------------------------
Tensor neg(const Tensor& x);
Tensor abs(const Tensor& x);
Tensor sign(const Tensor& x);
Tensor exp(const Tensor& x);
Tensor log(const Tensor& x);
Tensor log1p(const Tensor& x);
Tensor expm1(const Tensor& x);
Tensor sqrt(const Tensor& x);
Tensor rsqrt(const Tensor& x);
Tensor reciprocal(const Tensor& x);
Tensor square(const Tensor& x);
Tensor sin(const Tensor& x);
Tensor cos(const Tensor& x);
Tensor tanh(const Tensor& x);
Tensor sigmoid(const Tensor& x);
Tensor erf(const Tensor& x);
Tensor relu(const Tensor& x);
Tensor gelu(const Tensor& x, const std::string& approximate = "none");  // "none" (erf) or "tanh"
Tensor silu(const Tensor& x);
Tensor softplus(const Tensor& x, double beta = 1, double threshold = 20);
Tensor leaky_relu(const Tensor& x, double negative_slope = 0.01);
Tensor elu(const Tensor& x, double alpha = 1);
// x clamped to [min_val, max_val], keeping x's dtype; the gradient passes strictly inside (0 at the bounds).
Tensor hardtanh(const Tensor& x, Scalar min_val = -1, Scalar max_val = 1);
Tensor relu6(const Tensor& x);  // hardtanh(x, 0, 6)
Tensor floor(const Tensor& x);
Tensor ceil(const Tensor& x);
Tensor round(const Tensor& x);
Tensor trunc(const Tensor& x);
Tensor clamp(const Tensor& x, std::optional<Scalar> min, std::optional<Scalar> max = std::nullopt);
Tensor clamp(const Tensor& x, const std::optional<Tensor>& min, const std::optional<Tensor>& max);
Tensor clamp_min(const Tensor& x, Scalar min);
Tensor clamp_max(const Tensor& x, Scalar max);
Tensor pow(const Tensor& base, const Tensor& exponent);
Tensor pow(const Tensor& base, Scalar exponent);
Tensor pow(Scalar base, const Tensor& exponent);
Tensor add(const Tensor& a, const Tensor& b, Scalar alpha = 1);
Tensor add(const Tensor& a, Scalar b, Scalar alpha = 1);
Tensor sub(const Tensor& a, const Tensor& b, Scalar alpha = 1);
Tensor sub(const Tensor& a, Scalar b, Scalar alpha = 1);
Tensor mul(const Tensor& a, const Tensor& b);
Tensor mul(const Tensor& a, Scalar b);
Tensor div(const Tensor& a, const Tensor& b);
Tensor div(const Tensor& a, Scalar b);
Tensor remainder(const Tensor& a, const Tensor& b);
Tensor remainder(const Tensor& a, Scalar b);
Tensor maximum(const Tensor& a, const Tensor& b);
Tensor minimum(const Tensor& a, const Tensor& b);
Tensor max(const Tensor& a, const Tensor& b);  // maximum(a, b), as LibTorch's alias
Tensor min(const Tensor& a, const Tensor& b);  // minimum(a, b)
Tensor atan2(const Tensor& a, const Tensor& b);
Tensor eq(const Tensor& a, const Tensor& b);
Tensor ne(const Tensor& a, const Tensor& b);
Tensor lt(const Tensor& a, const Tensor& b);
Tensor le(const Tensor& a, const Tensor& b);
Tensor gt(const Tensor& a, const Tensor& b);
Tensor ge(const Tensor& a, const Tensor& b);
Tensor eq(const Tensor& a, Scalar b);
Tensor ne(const Tensor& a, Scalar b);
Tensor lt(const Tensor& a, Scalar b);
Tensor le(const Tensor& a, Scalar b);
Tensor gt(const Tensor& a, Scalar b);
Tensor ge(const Tensor& a, Scalar b);
Tensor logical_and(const Tensor& a, const Tensor& b);
Tensor logical_or(const Tensor& a, const Tensor& b);
Tensor logical_xor(const Tensor& a, const Tensor& b);
Tensor logical_not(const Tensor& x);
Tensor isnan(const Tensor& x);
Tensor isinf(const Tensor& x);
Tensor isfinite(const Tensor& x);
Tensor where(const Tensor& condition, const Tensor& a, const Tensor& b);
Tensor where(const Tensor& condition, const Tensor& a, Scalar b);
Tensor where(const Tensor& condition, Scalar a, const Tensor& b);
Tensor masked_fill(const Tensor& x, const Tensor& mask, Scalar value);
Tensor masked_fill(const Tensor& x, const Tensor& mask, const Tensor& value);
Tensor lerp(const Tensor& start, const Tensor& end, Scalar weight);
Tensor lerp(const Tensor& start, const Tensor& end, const Tensor& weight);

// Operators, with Python-number promotion for scalars.
Tensor operator-(const Tensor& x);
Tensor operator+(const Tensor& a, const Tensor& b);
Tensor operator-(const Tensor& a, const Tensor& b);
Tensor operator*(const Tensor& a, const Tensor& b);
Tensor operator/(const Tensor& a, const Tensor& b);
Tensor operator%(const Tensor& a, const Tensor& b);
Tensor operator+(const Tensor& a, Scalar b);
Tensor operator-(const Tensor& a, Scalar b);
Tensor operator*(const Tensor& a, Scalar b);
Tensor operator/(const Tensor& a, Scalar b);
Tensor operator%(const Tensor& a, Scalar b);
Tensor operator+(Scalar a, const Tensor& b);
Tensor operator-(Scalar a, const Tensor& b);
Tensor operator*(Scalar a, const Tensor& b);
Tensor operator/(Scalar a, const Tensor& b);
Tensor operator==(const Tensor& a, const Tensor& b);
Tensor operator!=(const Tensor& a, const Tensor& b);
Tensor operator<(const Tensor& a, const Tensor& b);
Tensor operator<=(const Tensor& a, const Tensor& b);
Tensor operator>(const Tensor& a, const Tensor& b);
Tensor operator>=(const Tensor& a, const Tensor& b);
Tensor operator==(const Tensor& a, Scalar b);
Tensor operator!=(const Tensor& a, Scalar b);
Tensor operator<(const Tensor& a, Scalar b);
Tensor operator<=(const Tensor& a, Scalar b);
Tensor operator>(const Tensor& a, Scalar b);
Tensor operator>=(const Tensor& a, Scalar b);
Tensor operator&&(const Tensor& a, const Tensor& b);
Tensor operator||(const Tensor& a, const Tensor& b);
Tensor operator!(const Tensor& x);
Tensor& operator+=(Tensor& a, const Tensor& b);
Tensor& operator-=(Tensor& a, const Tensor& b);
Tensor& operator*=(Tensor& a, const Tensor& b);
Tensor& operator/=(Tensor& a, const Tensor& b);
Tensor& operator+=(Tensor& a, Scalar b);
Tensor& operator-=(Tensor& a, Scalar b);
Tensor& operator*=(Tensor& a, Scalar b);
Tensor& operator/=(Tensor& a, Scalar b);

// ---- reductions ---------------------------------------------------------------------------------
Tensor sum(const Tensor& x, std::optional<ScalarType> dtype = std::nullopt);
Tensor sum(const Tensor& x, IntArrayRef dims, bool keepdim = false, std::optional<ScalarType> dtype = std::nullopt);
Tensor mean(const Tensor& x, std::optional<ScalarType> dtype = std::nullopt);
Tensor mean(const Tensor& x, IntArrayRef dims, bool keepdim = false, std::optional<ScalarType> dtype = std::nullopt);
Tensor prod(const Tensor& x, std::optional<ScalarType> dtype = std::nullopt);
Tensor prod(const Tensor& x, int64_t dim, bool keepdim = false, std::optional<ScalarType> dtype = std::nullopt);
Tensor max(const Tensor& x);
std::tuple<Tensor, Tensor> max(const Tensor& x, int64_t dim, bool keepdim = false);
Tensor min(const Tensor& x);
std::tuple<Tensor, Tensor> min(const Tensor& x, int64_t dim, bool keepdim = false);
Tensor amax(const Tensor& x, IntArrayRef dims = {}, bool keepdim = false);
Tensor amin(const Tensor& x, IntArrayRef dims = {}, bool keepdim = false);
Tensor argmax(const Tensor& x, std::optional<int64_t> dim = std::nullopt, bool keepdim = false);
Tensor argmin(const Tensor& x, std::optional<int64_t> dim = std::nullopt, bool keepdim = false);
// Overloads as LibTorch's (see Tensor::var): an integer is a dim, a bool is unbiased.
Tensor var(const Tensor& x, bool unbiased = true);
Tensor var(const Tensor& x, IntArrayRef dims, bool unbiased = true, bool keepdim = false);
Tensor var(const Tensor& x, IntArrayRef dims, std::optional<int64_t> correction, bool keepdim = false);
inline Tensor var(const Tensor& x, std::initializer_list<int64_t> dims, bool unbiased = true, bool keepdim = false) {
  return var(x, IntArrayRef(dims), unbiased, keepdim);
}
template <class Dim, detail::IfIntegerDim<Dim> = 0>
Tensor var(const Tensor& x, Dim dim, bool unbiased = true, bool keepdim = false) {
  const int64_t d = dim;
  return var(x, IntArrayRef(d), unbiased, keepdim);
}
Tensor std(const Tensor& x, bool unbiased = true);
Tensor std(const Tensor& x, IntArrayRef dims, bool unbiased = true, bool keepdim = false);
Tensor std(const Tensor& x, IntArrayRef dims, std::optional<int64_t> correction, bool keepdim = false);
inline Tensor std(const Tensor& x, std::initializer_list<int64_t> dims, bool unbiased = true, bool keepdim = false) {
  return std(x, IntArrayRef(dims), unbiased, keepdim);
}
template <class Dim, detail::IfIntegerDim<Dim> = 0>
Tensor std(const Tensor& x, Dim dim, bool unbiased = true, bool keepdim = false) {
  const int64_t d = dim;
  return std(x, IntArrayRef(d), unbiased, keepdim);
}
Tensor norm(const Tensor& x, Scalar p = 2);
Tensor norm(const Tensor& x, Scalar p, IntArrayRef dims, bool keepdim = false);
Tensor logsumexp(const Tensor& x, IntArrayRef dims, bool keepdim = false);
Tensor all(const Tensor& x);
Tensor all(const Tensor& x, int64_t dim, bool keepdim = false);
Tensor any(const Tensor& x);
Tensor any(const Tensor& x, int64_t dim, bool keepdim = false);
Tensor softmax(const Tensor& x, int64_t dim, std::optional<ScalarType> dtype = std::nullopt);
Tensor log_softmax(const Tensor& x, int64_t dim, std::optional<ScalarType> dtype = std::nullopt);
// Running sums along dim; integer and bool inputs sum in int64 unless dtype says otherwise, as torch.cumsum.
Tensor cumsum(const Tensor& x, int64_t dim, std::optional<ScalarType> dtype = std::nullopt);
// (values, indices) of each slice along dim sorted, stably: equal values keep their order, NaN sorts as the
// largest value. `stable` is accepted for LibTorch's signature; wick's sort is always stable.
std::tuple<Tensor, Tensor> sort(const Tensor& x, int64_t dim = -1, bool descending = false);
std::tuple<Tensor, Tensor> sort(const Tensor& x, std::optional<bool> stable, int64_t dim = -1, bool descending = false);
// The k largest (or smallest) elements along dim with their indices; always in sorted order, ties in index order.
std::tuple<Tensor, Tensor> topk(const Tensor& x, int64_t k, int64_t dim = -1, bool largest = true, bool sorted = true);

// ---- linear algebra -----------------------------------------------------------------------------
Tensor matmul(const Tensor& a, const Tensor& b);  // torch.matmul: 1-D, 2-D and broadcast batches
Tensor mm(const Tensor& a, const Tensor& b);
Tensor bmm(const Tensor& a, const Tensor& b);
Tensor addmm(const Tensor& bias, const Tensor& a, const Tensor& b, Scalar beta = 1, Scalar alpha = 1);
Tensor linear(const Tensor& x, const Tensor& weight, const Tensor& bias = {});  // x @ weight.T + bias
Tensor outer(const Tensor& a, const Tensor& b);
Tensor dot(const Tensor& a, const Tensor& b);
// torch.einsum: "ij,jk->ik", implicit outputs ("ij,jk": the letters used once, in A-Z, a-z order), "..." with
// broadcasting, repeated subscripts as diagonals; the operands are contracted left to right, each pair by bmm.
Tensor einsum(std::string_view equation, const std::vector<Tensor>& operands);

// ---- shape, views, joining ----------------------------------------------------------------------
Tensor view(const Tensor& x, IntArrayRef shape);
Tensor reshape(const Tensor& x, IntArrayRef shape);
Tensor flatten(const Tensor& x, int64_t start_dim = 0, int64_t end_dim = -1);
Tensor unflatten(const Tensor& x, int64_t dim, IntArrayRef sizes);
Tensor squeeze(const Tensor& x);
Tensor squeeze(const Tensor& x, int64_t dim);
Tensor unsqueeze(const Tensor& x, int64_t dim);
Tensor permute(const Tensor& x, IntArrayRef dims);
Tensor transpose(const Tensor& x, int64_t dim0, int64_t dim1);
Tensor t(const Tensor& x);
Tensor expand(const Tensor& x, IntArrayRef sizes);
Tensor broadcast_to(const Tensor& x, IntArrayRef sizes);
Tensor repeat(const Tensor& x, IntArrayRef repeats);
Tensor cat(const std::vector<Tensor>& tensors, int64_t dim = 0);
Tensor stack(const std::vector<Tensor>& tensors, int64_t dim = 0);
std::vector<Tensor> split(const Tensor& x, int64_t split_size, int64_t dim = 0);
std::vector<Tensor> split(const Tensor& x, IntArrayRef split_sizes, int64_t dim = 0);
std::vector<Tensor> chunk(const Tensor& x, int64_t chunks, int64_t dim = 0);
std::vector<Tensor> unbind(const Tensor& x, int64_t dim = 0);
Tensor narrow(const Tensor& x, int64_t dim, int64_t start, int64_t length);
Tensor select(const Tensor& x, int64_t dim, int64_t index);
Tensor slice(const Tensor& x, int64_t dim, std::optional<int64_t> start, std::optional<int64_t> end, int64_t step = 1);
// The diagonal of dims (dim1, dim2), `offset` above (> 0) or below (< 0) the main one, as a view appended as the
// last dim (torch.diagonal); empty when the offset lies past the matrix.
Tensor diagonal(const Tensor& x, int64_t offset = 0, int64_t dim1 = 0, int64_t dim2 = 1);
Tensor index_select(const Tensor& x, int64_t dim, const Tensor& index);
Tensor index_add(const Tensor& x, int64_t dim, const Tensor& index, const Tensor& source);
Tensor gather(const Tensor& x, int64_t dim, const Tensor& index);
Tensor scatter(const Tensor& x, int64_t dim, const Tensor& index, const Tensor& src);
Tensor scatter(const Tensor& x, int64_t dim, const Tensor& index, Scalar value);
Tensor scatter_add(const Tensor& x, int64_t dim, const Tensor& index, const Tensor& src);
Tensor masked_select(const Tensor& x, const Tensor& mask);
Tensor nonzero(const Tensor& x);
Tensor flip(const Tensor& x, IntArrayRef dims);
Tensor tril(const Tensor& x, int64_t diagonal = 0);
Tensor triu(const Tensor& x, int64_t diagonal = 0);
// mode: "constant", "reflect" or "replicate"; pad lists (left, right) pairs from the last dim backwards.
Tensor pad(const Tensor& x, IntArrayRef pad, const std::string& mode = "constant", double value = 0);
// LibTorch's at::constant_pad_nd: pad's constant mode (negative entries crop).
Tensor constant_pad_nd(const Tensor& x, IntArrayRef pad, Scalar value = 0);
std::vector<int64_t> broadcast_shapes(IntArrayRef a, IntArrayRef b);

// ---- out= variants (lib/src/ops/out_variants.cpp) --------------------------------------------------------------
// LibTorch's at::add_out(out, a, b) and friends: the op's result written into out, which is resized to the
// result's shape (in place when its storage has room, as resize_) and may have any dtype the result casts to
// (matrix products: the result's dtype only). Refused when grad mode is on and an argument requires grad. wick
// computes into a temporary and copies, so these save no allocation; they exist so ported code runs unchanged.
Tensor& add_out(Tensor& out, const Tensor& a, const Tensor& b, Scalar alpha = 1);
Tensor& sub_out(Tensor& out, const Tensor& a, const Tensor& b, Scalar alpha = 1);
Tensor& mul_out(Tensor& out, const Tensor& a, const Tensor& b);
Tensor& div_out(Tensor& out, const Tensor& a, const Tensor& b);
Tensor& pow_out(Tensor& out, const Tensor& base, const Tensor& exponent);
Tensor& pow_out(Tensor& out, const Tensor& base, Scalar exponent);
Tensor& maximum_out(Tensor& out, const Tensor& a, const Tensor& b);
Tensor& minimum_out(Tensor& out, const Tensor& a, const Tensor& b);
Tensor& neg_out(Tensor& out, const Tensor& x);
Tensor& abs_out(Tensor& out, const Tensor& x);
Tensor& exp_out(Tensor& out, const Tensor& x);
Tensor& log_out(Tensor& out, const Tensor& x);
Tensor& sqrt_out(Tensor& out, const Tensor& x);
Tensor& sin_out(Tensor& out, const Tensor& x);
Tensor& cos_out(Tensor& out, const Tensor& x);
Tensor& tanh_out(Tensor& out, const Tensor& x);
Tensor& sigmoid_out(Tensor& out, const Tensor& x);
Tensor& clamp_out(Tensor& out, const Tensor& x, std::optional<Scalar> min, std::optional<Scalar> max = std::nullopt);
Tensor& mm_out(Tensor& out, const Tensor& a, const Tensor& b);
Tensor& bmm_out(Tensor& out, const Tensor& a, const Tensor& b);
Tensor& matmul_out(Tensor& out, const Tensor& a, const Tensor& b);
Tensor& addmm_out(Tensor& out, const Tensor& bias, const Tensor& a, const Tensor& b, Scalar beta = 1, Scalar alpha = 1);
Tensor& sum_out(Tensor& out, const Tensor& x, IntArrayRef dims, bool keepdim = false,
                std::optional<ScalarType> dtype = std::nullopt);
Tensor& mean_out(Tensor& out, const Tensor& x, IntArrayRef dims, bool keepdim = false,
                 std::optional<ScalarType> dtype = std::nullopt);
Tensor& cat_out(Tensor& out, const std::vector<Tensor>& tensors, int64_t dim = 0);
Tensor& stack_out(Tensor& out, const std::vector<Tensor>& tensors, int64_t dim = 0);
Tensor& index_select_out(Tensor& out, const Tensor& x, int64_t dim, const Tensor& index);
Tensor& gather_out(Tensor& out, const Tensor& x, int64_t dim, const Tensor& index);
Tensor& where_out(Tensor& out, const Tensor& condition, const Tensor& a, const Tensor& b);

// ---- comparison helpers -------------------------------------------------------------------------
bool allclose(const Tensor& a, const Tensor& b, double rtol = 1e-5, double atol = 1e-8, bool equal_nan = false);
Tensor isclose(const Tensor& a, const Tensor& b, double rtol = 1e-5, double atol = 1e-8, bool equal_nan = false);
bool equal(const Tensor& a, const Tensor& b);

// ---- random state, threads, denormals, fused kernels -----------------------------------------------------------
void manual_seed(uint64_t seed);
void set_num_threads(int n);
int get_num_threads();
// Flushes denormal floats to zero in the calling thread's CPU arithmetic (and in the pool workers that run its
// parallel regions), as LibTorch's at::globalContext().setFlushDenormal. Returns false, changing nothing, where
// the CPU has no such control. InferenceMode turns it on for its scope by default (see grad_mode.h).
bool set_flush_denormal(bool on);
bool flush_denormal_enabled();
// Whether ops run the backends' fused kernels (softmax, convolution, pooling, normalisation, recurrent cells)
// where a backend has them, in the spirit of LibTorch's at::globalContext().setUserEnabledMkldnn. On by
// default, unless the environment sets WICK_FUSED_KERNELS=0; off, those ops are composed from the core
// primitives every backend has (the same results up to rounding, slower).
void set_fused_kernels_enabled(bool on);
bool fused_kernels_enabled();

// ---- printing options ---------------------------------------------------------------------------
void set_printoptions(int precision = 4, int threshold = 1000, int edgeitems = 3, int linewidth = 80);
struct PrintOptions {
  int precision = 4, threshold = 1000, edgeitems = 3, linewidth = 80;
};
PrintOptions get_printoptions();  // the current ones, e.g. to restore them after a set_printoptions

// ---- from_blob with a deleter: the deleter is type-erased into the storage ----------------------
namespace detail {
Tensor from_blob_with_deleter(void* data, IntArrayRef sizes, void (*deleter)(void*, void*), void* context,
                              const TensorOptions& options);
}
template <class Deleter, std::enable_if_t<std::is_invocable_v<std::decay_t<Deleter>&, void*>, int>>
Tensor from_blob(void* data, IntArrayRef sizes, Deleter&& deleter, const TensorOptions& options) {
  using D = std::decay_t<Deleter>;
  auto* held = new D(std::forward<Deleter>(deleter));
  return detail::from_blob_with_deleter(
      data, sizes,
      [](void* p, void* context) {
        D* d = static_cast<D*>(context);
        (*d)(p);
        delete d;
      },
      held, options);
}

}  // namespace wick
