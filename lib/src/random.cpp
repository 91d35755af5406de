// The global generator (a seed and a running counter) and the random ops built on it.
#include "wick/random.h"
#include "wick/detail/op_scope.h"

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

detail::RandomSlice detail::random_state() {
  Generator& g = generator();
  std::lock_guard<std::mutex> lock(g.mutex);
  return {g.seed, g.offset};
}

void detail::set_random_state(RandomSlice state) {
  Generator& g = generator();
  std::lock_guard<std::mutex> lock(g.mutex);
  g.seed = state.seed;
  g.offset = state.offset;
}

Tensor rand(IntArrayRef size, const TensorOptions& o) {
  WICK_PROFILE_OP("rand");
  WICK_CHECK(is_floating_point(o.dtype()), "rand", "expected a floating point dtype, got ", dtype_name(o.dtype()));
  check_sizes("rand", size);
  return finish(random_tensor(size, o.dtype(), o.device(), RandomKind::Uniform, 0, 1), o);
}

Tensor randn(IntArrayRef size, const TensorOptions& o) {
  WICK_PROFILE_OP("randn");
  WICK_CHECK(is_floating_point(o.dtype()), "randn", "expected a floating point dtype, got ", dtype_name(o.dtype()));
  check_sizes("randn", size);
  return finish(random_tensor(size, o.dtype(), o.device(), RandomKind::Normal, 0, 1), o);
}

Tensor randint(int64_t high, IntArrayRef size, const TensorOptions& o) {
  WICK_PROFILE_OP("randint");
  return randint(0, high, size, o);
}

Tensor randint(int64_t low, int64_t high, IntArrayRef size, const TensorOptions& o) {
  WICK_PROFILE_OP("randint");
  WICK_CHECK(low < high, "randint", "expected low < high, got low=", low, " and high=", high);
  check_sizes("randint", size);
  // The bounds reach the kernel as doubles and every value is converted to the dtype: out-of-range values would
  // be UB there (as PyTorch, [low, high) must fit the dtype), and past 2^53 the doubles would not be exact.
  const ScalarType type = o.dtype();
  constexpr int64_t kExact = int64_t(1) << 53;
  const int64_t lowest = type == kBool || type == kUInt8 ? 0
                         : type == kInt8                 ? INT8_MIN
                         : type == kInt32                ? INT32_MIN
                                                         : -kExact;
  const int64_t highest = type == kBool    ? 1
                          : type == kUInt8 ? 255
                          : type == kInt8  ? INT8_MAX
                          : type == kInt32 ? INT32_MAX
                                           : kExact;
  WICK_CHECK(low >= lowest && high - 1 <= highest, "randint", "[", low, ", ", high, ") does not fit ", dtype_name(type),
             " (values must lie in [", lowest, ", ", highest, "])");
  return finish(random_tensor(size, o.dtype(), o.device(), RandomKind::Integer, double(low), double(high)), o);
}

Tensor randperm(int64_t n, const TensorOptions& o) {
  WICK_PROFILE_OP("randperm");
  WICK_CHECK(n >= 0, "randperm", "n must be non-negative, got ", n);
  const ScalarType type = o.dtype();
  WICK_CHECK(type != kBool, "randperm", "not supported for bool");
  WICK_CHECK(n <= (type == kUInt8   ? 256
                   : type == kInt8  ? 128
                   : type == kInt32 ? int64_t(INT32_MAX) + 1
                                    : n),
             "randperm", "n = ", n, " does not fit ", dtype_name(type), " (values 0 to n - 1)");
  // Sort random keys: the permutation follows the counter stream, so it reproduces like every other op.
  Tensor keys = random_tensor({n}, kDouble, kCPU, RandomKind::Uniform, 0, 1);
  const double* k = keys.data_ptr<double>();
  std::vector<int64_t> perm(static_cast<size_t>(n));
  std::iota(perm.begin(), perm.end(), 0);
  std::stable_sort(perm.begin(), perm.end(), [&](int64_t a, int64_t b) { return k[a] < k[b]; });
  return tensor(perm).to(o.device(), o.dtype());
}

Tensor bernoulli(const Tensor& p) {
  WICK_PROFILE_OP("bernoulli", p);
  WICK_CHECK(is_floating_point(p.dtype()), "bernoulli", "expected a floating point tensor of probabilities, got ",
             dtype_name(p.dtype()));
  WICK_CHECK(logical_and(p >= 0, p <= 1).all().item<bool>(), "bernoulli",
             "probabilities must lie in [0, 1] (NaN is not a probability)");
  Tensor u = random_tensor(p.sizes(), p.dtype(), p.device(), RandomKind::Uniform, 0, 1);
  return (u < p).to(p.dtype());
}

Tensor multinomial(const Tensor& probs, int64_t num_samples, bool replacement) {
  WICK_PROFILE_OP("multinomial", probs);
  const char* op = "multinomial";
  WICK_CHECK(probs.dim() == 1 || probs.dim() == 2, op, "prob_dist must be 1 or 2 dim, got ", probs.dim(), " dims");
  WICK_CHECK(is_floating_point(probs.scalar_type()), op, "expected a floating point tensor of probabilities, got ",
             dtype_name(probs.scalar_type()));
  WICK_CHECK(num_samples > 0, op, "cannot sample ", num_samples, " samples: num_samples must be positive");
  const int64_t categories = probs.size(-1);
  WICK_CHECK(categories > 0, op, "number of categories cannot be zero");
  WICK_CHECK(replacement || num_samples <= categories, op, "cannot sample ", num_samples, " samples from ", categories,
             " categories without replacement");
  NoGradGuard no_grad;  // the draws are indices: nothing to differentiate
  // Weights need not sum to 1 (as torch.multinomial); float64 keeps the running totals exact enough for float32
  // and half weights alike.
  const Tensor p = (probs.dim() == 1 ? probs.unsqueeze(0) : probs).to(kDouble);
  const int64_t rows = p.size(0);
  WICK_CHECK(logical_and(isfinite(p), p >= 0).all().item<bool>(), op,
             "probability tensor contains either inf, nan or element < 0");
  const Tensor total = p.sum({1}, true);
  WICK_CHECK((total > 0).all().item<bool>(), op, "invalid multinomial distribution (sum of probabilities <= 0)");
  Tensor samples;
  if (replacement) {
    // Inverse CDF: a draw u lands in the category whose running total first exceeds u * total, i.e. after every
    // category whose running total is at most that. A zero-weight category adds nothing to the total, so no draw
    // lands in it. Costs rows x num_samples x categories comparisons.
    const Tensor cdf = cumsum(p, 1);
    const Tensor u = random_tensor({rows, num_samples}, kDouble, p.device(), RandomKind::Uniform, 0, 1);
    const Tensor below = (cdf.unsqueeze(1) <= (u * total).unsqueeze(2)).sum({2});
    // Rounding can put u * total at or past the last running total: that draw belongs to the last category
    // with weight.
    const Tensor last_with_weight =
        amax(arange(categories, TensorOptions().dtype(kInt64).device(p.device())) * (p > 0), {1}, true);
    samples = minimum(below, last_with_weight);
  } else {
    WICK_CHECK(((p > 0).sum({1}) >= num_samples).all().item<bool>(), op, "cannot sample ", num_samples,
               " samples without replacement from a row with fewer categories of non-zero weight");
    // Exponential races (Efraimidis and Spirakis): with E ~ Exp(1) per category, the num_samples largest
    // weight / E are a draw without replacement, as PyTorch samples. Zero weights get a key below every other.
    const Tensor u = random_tensor({rows, categories}, kDouble, p.device(), RandomKind::Uniform, 0, 1);
    const Tensor race = -log1p(-u);  // Exp(1) from u in [0, 1)
    const Tensor keys = where(p > 0, p / race, full({}, -1.0, p.options()));
    samples = std::get<1>(topk(keys, num_samples, 1));
  }
  return probs.dim() == 1 ? samples.squeeze(0) : samples;
}

Tensor Tensor::multinomial(int64_t num_samples, bool replacement) const {
  return wick::multinomial(*this, num_samples, replacement);
}

Tensor& Tensor::uniform_(double from, double to) const {
  WICK_PROFILE_OP("uniform_", *this);
  WICK_CHECK(from <= to, "uniform_", "expected from <= to, got from=", from, " and to=", to);
  Tensor r = random_tensor(sizes(), dtype(), device(), RandomKind::Uniform, from, to);
  WICK_CHECK(!detail::prepare_inplace("uniform_", *this), "uniform_", "in-place random fill of a tensor in the graph");
  assign_into("uniform_", *this, r);
  return const_cast<Tensor&>(*this);
}

Tensor& Tensor::normal_(double mean, double std) const {
  WICK_PROFILE_OP("normal_", *this);
  WICK_CHECK(std >= 0, "normal_", "expected std >= 0, got ", std);
  Tensor r = random_tensor(sizes(), dtype(), device(), RandomKind::Normal, mean, std);
  WICK_CHECK(!detail::prepare_inplace("normal_", *this), "normal_", "in-place random fill of a tensor in the graph");
  assign_into("normal_", *this, r);
  return const_cast<Tensor&>(*this);
}

Tensor& Tensor::bernoulli_(double p) const {
  WICK_PROFILE_OP("bernoulli_", *this);
  WICK_CHECK(p >= 0 && p <= 1, "bernoulli_", "expected 0 <= p <= 1, got ", p);
  Tensor r = random_tensor(sizes(), dtype(), device(), RandomKind::Bernoulli, p, 0);
  assign_into("bernoulli_", *this, r);
  return const_cast<Tensor&>(*this);
}

}  // namespace wick
