// The global generator (a seed and a running counter) and the random ops built on it.
#include "wick/random.h"

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <mutex>
#include <numeric>

#include "ops/elementwise.h"
#include "wick/detail/record.h"
#include "wick/ops.h"

namespace wick {

namespace {
struct Generator {
  std::mutex mutex;
  uint64_t seed = 67280421310721ull;  // PyTorch's default seed
  uint64_t offset = 0;
};
Generator& generator() {
  static Generator g;
  return g;
}

Tensor random_tensor(IntArrayRef size, ScalarType dtype, Device device, RandomKind kind, double a, double b) {
  Tensor t = make_empty(size, dtype, device);
  if (t.numel() == 0) return t;
  const auto slice = detail::reserve_random(uint64_t(t.numel()));
  backend_for(device).random(view_of(t), kind, a, b, slice.seed, slice.offset);
  return t;
}

Tensor finish(Tensor t, const TensorOptions& o) {
  if (o.requires_grad()) t.requires_grad_(true);
  return t;
}
}  // namespace

void manual_seed(uint64_t seed) {
  Generator& g = generator();
  std::lock_guard<std::mutex> lock(g.mutex);
  g.seed = seed;
  g.offset = 0;
}

uint64_t initial_seed() {
  Generator& g = generator();
  std::lock_guard<std::mutex> lock(g.mutex);
  return g.seed;
}

detail::RandomSlice detail::reserve_random(uint64_t count) {
  Generator& g = generator();
  std::lock_guard<std::mutex> lock(g.mutex);
  RandomSlice s{g.seed, g.offset};
  g.offset += count;
  return s;
}

Tensor rand(IntArrayRef size, const TensorOptions& o) {
  WICK_CHECK(is_floating_point(o.dtype()), "rand", "expected a floating point dtype, got ", dtype_name(o.dtype()));
  check_sizes("rand", size);
  return finish(random_tensor(size, o.dtype(), o.device(), RandomKind::Uniform, 0, 1), o);
}

Tensor randn(IntArrayRef size, const TensorOptions& o) {
  WICK_CHECK(is_floating_point(o.dtype()), "randn", "expected a floating point dtype, got ", dtype_name(o.dtype()));
  check_sizes("randn", size);
  return finish(random_tensor(size, o.dtype(), o.device(), RandomKind::Normal, 0, 1), o);
}

Tensor randint(int64_t high, IntArrayRef size, const TensorOptions& o) { return randint(0, high, size, o); }

Tensor randint(int64_t low, int64_t high, IntArrayRef size, const TensorOptions& o) {
  WICK_CHECK(low < high, "randint", "expected low < high, got low=", low, " and high=", high);
  check_sizes("randint", size);
  // The bounds reach the kernel as doubles and every value is converted to the dtype: out-of-range values would
  // be UB there (as PyTorch, [low, high) must fit the dtype), and past 2^53 the doubles would not be exact.
  const ScalarType type = o.dtype();
  constexpr int64_t kExact = int64_t(1) << 53;
  const int64_t lowest = type == kBool || type == kUInt8 ? 0 : type == kInt32 ? INT32_MIN : -kExact;
  const int64_t highest = type == kBool ? 1 : type == kUInt8 ? 255 : type == kInt32 ? INT32_MAX : kExact;
  WICK_CHECK(low >= lowest && high - 1 <= highest, "randint", "[", low, ", ", high, ") does not fit ", dtype_name(type),
             " (values must lie in [", lowest, ", ", highest, "])");
  return finish(random_tensor(size, o.dtype(), o.device(), RandomKind::Integer, double(low), double(high)), o);
}

Tensor randperm(int64_t n, const TensorOptions& o) {
  WICK_CHECK(n >= 0, "randperm", "n must be non-negative, got ", n);
  const ScalarType type = o.dtype();
  WICK_CHECK(type != kBool, "randperm", "not supported for bool");
  WICK_CHECK(n <= (type == kUInt8 ? 256 : type == kInt32 ? int64_t(INT32_MAX) + 1 : n), "randperm", "n = ", n,
             " does not fit ", dtype_name(type), " (values 0 to n - 1)");
  // Sort random keys: the permutation follows the counter stream, so it reproduces like every other op.
  Tensor keys = random_tensor({n}, kDouble, kCPU, RandomKind::Uniform, 0, 1);
  const double* k = keys.data_ptr<double>();
  std::vector<int64_t> perm(static_cast<size_t>(n));
  std::iota(perm.begin(), perm.end(), 0);
  std::stable_sort(perm.begin(), perm.end(), [&](int64_t a, int64_t b) { return k[a] < k[b]; });
  return tensor(perm).to(o.device(), o.dtype());
}

Tensor bernoulli(const Tensor& p) {
  WICK_CHECK(is_floating_point(p.dtype()), "bernoulli", "expected a floating point tensor of probabilities, got ",
             dtype_name(p.dtype()));
  WICK_CHECK(logical_and(p >= 0, p <= 1).all().item<bool>(), "bernoulli",
             "probabilities must lie in [0, 1] (NaN is not a probability)");
  Tensor u = random_tensor(p.sizes(), p.dtype(), p.device(), RandomKind::Uniform, 0, 1);
  return (u < p).to(p.dtype());
}

Tensor& Tensor::uniform_(double from, double to) const {
  WICK_CHECK(from <= to, "uniform_", "expected from <= to, got from=", from, " and to=", to);
  Tensor r = random_tensor(sizes(), dtype(), device(), RandomKind::Uniform, from, to);
  WICK_CHECK(!detail::prepare_inplace("uniform_", *this), "uniform_", "in-place random fill of a tensor in the graph");
  assign_into("uniform_", *this, r);
  return const_cast<Tensor&>(*this);
}

Tensor& Tensor::normal_(double mean, double std) const {
  WICK_CHECK(std >= 0, "normal_", "expected std >= 0, got ", std);
  Tensor r = random_tensor(sizes(), dtype(), device(), RandomKind::Normal, mean, std);
  WICK_CHECK(!detail::prepare_inplace("normal_", *this), "normal_", "in-place random fill of a tensor in the graph");
  assign_into("normal_", *this, r);
  return const_cast<Tensor&>(*this);
}

Tensor& Tensor::bernoulli_(double p) const {
  WICK_CHECK(p >= 0 && p <= 1, "bernoulli_", "expected 0 <= p <= 1, got ", p);
  Tensor r = random_tensor(sizes(), dtype(), device(), RandomKind::Bernoulli, p, 0);
  assign_into("bernoulli_", *this, r);
  return const_cast<Tensor&>(*this);
}

}  // namespace wick
