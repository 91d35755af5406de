// Fuzz target: bytes decoded into a short program of public tensor ops. A pool of a few tensors is the program's
// state; each step reads an op from the bytes, then its operands (pool slots) and arguments (small shapes that may
// have 0-sized dims, any dtype, dims and indices that may be out of range, extreme scalars), runs it and puts the
// result back in the pool. Every op must either succeed or throw wick::Error: anything else is a finding.
// Set WICK_FUZZ_TRACE=1 to print each op as it runs (to turn a crashing input into a regression test).
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <iterator>
#include <limits>
#include <optional>
#include <string>
#include <vector>

#include <wick/wick.h>

#include "fuzz_targets.h"

namespace wick::fuzz {

namespace {

constexpr int64_t kMaxNumel = 4096;  // larger results are dropped, so every input runs in milliseconds
constexpr size_t kPoolSize = 6;
constexpr int kMaxSteps = 48;

// Reads arguments from the fuzzer's bytes; past the end every read is 0, so any prefix is a valid program.
class ByteReader {
 public:
  ByteReader(const uint8_t* data, size_t size) : data_(data), size_(size) {}

  bool done() const { return at_ >= size_; }
  uint8_t byte() { return at_ < size_ ? data_[at_++] : 0; }
  bool flag() { return byte() & 1; }
  // An integer in [lo, hi], from one byte (every range used here spans at most 256 values).
  int64_t in_range(int64_t lo, int64_t hi) { return lo + int64_t(byte() % uint64_t(hi - lo + 1)); }

  ScalarType dtype() { return ScalarType(byte() % kNumScalarTypes); }
  ScalarType floating_dtype() {
    static constexpr ScalarType kFloats[] = {kHalf, kBFloat16, kFloat, kDouble};
    return kFloats[byte() % std::size(kFloats)];
  }

  // Values that break arithmetic (overflow, NaN, infinities, denormals), or else a small one.
  double real() {
    static constexpr double kEdges[] = {0.0,  -0.0, 1.0,  -1.0, 0.5,    1e-40,   1e30,     -1e30,    65504.0, 3e38,
                                        1e300, 2147483648.0, 9.3e18, -9.3e18,
                                        std::numeric_limits<double>::infinity(),
                                        -std::numeric_limits<double>::infinity(),
                                        std::numeric_limits<double>::quiet_NaN()};
    const uint8_t b = byte();
    return b < std::size(kEdges) ? kEdges[b] : (int(b) - 136) / 8.0;
  }
  int64_t integer() {
    static constexpr int64_t kEdges[] = {0, 1, -1, 2, 255, 256, -129, std::numeric_limits<int32_t>::min(),
                                         std::numeric_limits<int32_t>::max(), std::numeric_limits<int64_t>::min(),
                                         std::numeric_limits<int64_t>::max()};
    const uint8_t b = byte();
    return b < std::size(kEdges) ? kEdges[b] : int64_t(b) - 136;
  }
  Scalar scalar() {
    switch (byte() % 3) {
      case 0: return Scalar(real());
      case 1: return Scalar(integer());
      default: return Scalar(flag());
    }
  }

  // Dims run one past each end of the valid range, so every op also sees out-of-range dims.
  int64_t dim(int64_t rank) { return in_range(-rank - 1, rank); }
  std::vector<int64_t> dims(int64_t rank) {
    std::vector<int64_t> out(size_t(in_range(0, 3)));
    for (int64_t& d : out) d = dim(rank);
    return out;
  }
  std::vector<int64_t> shape() {
    std::vector<int64_t> out(size_t(in_range(0, 4)));
    for (int64_t& d : out) d = in_range(0, 5);
    return out;
  }
  // Sizes for view/reshape/expand/unflatten: may hold -1 (infer) and an invalid -2.
  std::vector<int64_t> sizes() {
    std::vector<int64_t> out(size_t(in_range(0, 4)));
    for (int64_t& d : out) d = in_range(-2, 6);
    return out;
  }
  std::vector<int64_t> small_ints(int64_t max_count, int64_t lo, int64_t hi) {
    std::vector<int64_t> out(size_t(in_range(0, max_count)));
    for (int64_t& v : out) v = in_range(lo, hi);
    return out;
  }

 private:
  const uint8_t* data_;
  size_t size_;
  size_t at_ = 0;
};

// The program's state: a few tensors, picked as operands by the bytes.
class Pool {
 public:
  Tensor pick(ByteReader& r) {
    if (slots_.empty()) slots_.push_back(arange(6, dtype(kFloat)).view({2, 3}));
    return slots_[r.byte() % slots_.size()];
  }
  void put(ByteReader& r, const Tensor& t) {
    if (!t.defined() || t.numel() > kMaxNumel) return;
    if (slots_.size() < kPoolSize) slots_.push_back(t);
    else slots_[r.byte() % slots_.size()] = t;
  }

 private:
  std::vector<Tensor> slots_;
};

// A tensor of the given shape and dtype holding the fuzzer's raw bytes: NaNs, infinities and extreme integers.
Tensor from_bytes(ByteReader& r, const std::vector<int64_t>& shape, ScalarType type) {
  Tensor t = zeros(shape, dtype(type));
  auto* p = static_cast<uint8_t*>(t.data_ptr());
  for (size_t i = 0; i < t.nbytes(); ++i) p[i] = r.byte();
  // A bool byte must be 0 or 1 (anything else is not a C++ bool); from_blob's callers promise the same.
  if (type == kBool)
    for (size_t i = 0; i < t.nbytes(); ++i) p[i] &= 1;
  return t;
}

// Index tensors are mostly int64 with small, possibly out-of-range or negative, values.
Tensor index_tensor(ByteReader& r, Pool& pool) {
  if (r.byte() % 4 == 0) return pool.pick(r);
  std::vector<int64_t> shape(size_t(r.in_range(0, 2)));
  for (int64_t& d : shape) d = r.in_range(0, 4);
  Tensor idx = zeros(shape, dtype(r.flag() ? kInt64 : kInt32));
  Tensor wide = idx.to(kInt64);
  int64_t* v = wide.data_ptr<int64_t>();
  for (int64_t i = 0; i < wide.numel(); ++i) v[i] = r.in_range(-6, 5);
  return wide.to(idx.dtype());
}

TensorIndex tensor_index(ByteReader& r, Pool& pool) {
  switch (r.byte() % 7) {
    case 0: return TensorIndex(r.in_range(-6, 5));
    case 1: {
      const int64_t start = r.in_range(-6, 6), stop = r.in_range(-6, 6), step = r.in_range(-1, 3);
      return TensorIndex(indexing::Slice(start, stop, step));
    }
    case 2: return TensorIndex(indexing::None);
    case 3: return TensorIndex(indexing::Ellipsis);
    case 4: return TensorIndex(r.flag());
    case 5: return TensorIndex(pool.pick(r) > 0);  // a bool mask
    default: return TensorIndex(index_tensor(r, pool));
  }
}

std::vector<Tensor> some_tensors(ByteReader& r, Pool& pool) {
  std::vector<Tensor> out(size_t(r.in_range(0, 3)));
  for (Tensor& t : out) t = pool.pick(r);
  return out;
}

std::optional<int64_t> maybe_int(ByteReader& r, int64_t lo, int64_t hi) {
  if (r.flag()) return std::nullopt;
  return r.in_range(lo, hi);
}

// A weight for conv/linear ops that fits x more often than a random pool tensor would.
Tensor weight_for(ByteReader& r, Pool& pool, const Tensor& x, int spatial, int64_t groups) {
  if (r.byte() % 4 == 0) return pool.pick(r);
  std::vector<int64_t> shape = {r.in_range(0, 4) * std::max<int64_t>(groups, 1)};
  shape.push_back(x.dim() >= 2 && groups > 0 ? x.size(1) / groups : r.in_range(0, 3));
  for (int s = 0; s < spatial; ++s) shape.push_back(r.in_range(0, 3));
  return from_bytes(r, shape, x.dtype());
}

using OpFn = void (*)(ByteReader&, Pool&);
struct FuzzOp {
  const char* name;
  OpFn run;
};

#define WICK_FUZZ_UNARY(f) {#f, [](ByteReader& r, Pool& p) { p.put(r, wick::f(p.pick(r))); }}
#define WICK_FUZZ_BINARY(f) \
  {#f, [](ByteReader& r, Pool& p) { const Tensor a = p.pick(r); p.put(r, wick::f(a, p.pick(r))); }}
#define WICK_FUZZ_BINARY_SCALAR(f) \
  {#f "(scalar)", [](ByteReader& r, Pool& p) { const Tensor a = p.pick(r); p.put(r, wick::f(a, r.scalar())); }}

const FuzzOp kOps[] = {
    // ---- creation
    {"full", [](ByteReader& r, Pool& p) { const auto s = r.shape(); p.put(r, full(s, r.scalar(), dtype(r.dtype()))); }},
    {"from_bytes", [](ByteReader& r, Pool& p) { const auto s = r.shape(); p.put(r, from_bytes(r, s, r.dtype())); }},
    {"arange",
     [](ByteReader& r, Pool& p) {
       const Scalar start = r.scalar(), end = r.scalar(), step = r.scalar();
       // A valid range past kMaxNumel would only test the machine's memory; invalid ones (NaN, infinite,
       // against the step's sign) must still throw.
       const double count = (end.to_double() - start.to_double()) / step.to_double();
       if (std::isfinite(count) && count > double(kMaxNumel)) return;
       p.put(r, arange(start, end, step, dtype(r.dtype())));
     }},
    {"linspace",
     [](ByteReader& r, Pool& p) {
       const double start = r.real(), end = r.real();
       const int64_t steps = r.in_range(-1, 8);
       p.put(r, linspace(start, end, steps, dtype(r.dtype())));
     }},
    {"eye",
     [](ByteReader& r, Pool& p) {
       const int64_t n = r.in_range(-1, 5), m = r.in_range(-1, 5);
       p.put(r, eye(n, m, dtype(r.dtype())));
     }},
    {"rand", [](ByteReader& r, Pool& p) { const auto s = r.shape(); p.put(r, rand(s, dtype(r.dtype()))); }},
    {"randn", [](ByteReader& r, Pool& p) { const auto s = r.shape(); p.put(r, randn(s, dtype(r.dtype()))); }},
    {"randint",
     [](ByteReader& r, Pool& p) {
       const int64_t low = r.integer(), high = r.integer();
       const auto s = r.shape();
       p.put(r, randint(low, high, s, dtype(r.dtype())));
     }},
    {"randperm", [](ByteReader& r, Pool& p) { const int64_t n = r.in_range(-1, 8); p.put(r, randperm(n, dtype(r.dtype()))); }},
    WICK_FUZZ_UNARY(bernoulli),
    {"scalar_tensor", [](ByteReader& r, Pool& p) { const Scalar s = r.scalar(); p.put(r, scalar_tensor(s, dtype(r.dtype()))); }},
    // ---- conversion
    {"to", [](ByteReader& r, Pool& p) { const Tensor x = p.pick(r); p.put(r, x.to(r.dtype(), r.flag())); }},
    {"contiguous", [](ByteReader& r, Pool& p) { p.put(r, p.pick(r).contiguous()); }},
    {"clone", [](ByteReader& r, Pool& p) { p.put(r, p.pick(r).clone()); }},
    {"copy_", [](ByteReader& r, Pool& p) { const Tensor x = p.pick(r); x.copy_(p.pick(r)); }},
    {"item",
     [](ByteReader& r, Pool& p) {
       const Tensor x = p.pick(r);
       (void)x.item<double>();
       (void)x.item<int64_t>();
     }},
    {"print", [](ByteReader& r, Pool& p) { (void)p.pick(r).str(); }},
    // ---- elementwise
    WICK_FUZZ_UNARY(neg), WICK_FUZZ_UNARY(abs), WICK_FUZZ_UNARY(sign), WICK_FUZZ_UNARY(exp), WICK_FUZZ_UNARY(log),
    WICK_FUZZ_UNARY(log1p), WICK_FUZZ_UNARY(expm1), WICK_FUZZ_UNARY(sqrt), WICK_FUZZ_UNARY(rsqrt),
    WICK_FUZZ_UNARY(reciprocal), WICK_FUZZ_UNARY(square), WICK_FUZZ_UNARY(sin), WICK_FUZZ_UNARY(cos),
    WICK_FUZZ_UNARY(tanh), WICK_FUZZ_UNARY(sigmoid), WICK_FUZZ_UNARY(erf), WICK_FUZZ_UNARY(relu),
    WICK_FUZZ_UNARY(silu), WICK_FUZZ_UNARY(floor), WICK_FUZZ_UNARY(ceil), WICK_FUZZ_UNARY(round),
    WICK_FUZZ_UNARY(trunc), WICK_FUZZ_UNARY(logical_not), WICK_FUZZ_UNARY(isnan), WICK_FUZZ_UNARY(isinf),
    WICK_FUZZ_UNARY(isfinite),
    {"gelu", [](ByteReader& r, Pool& p) { const Tensor x = p.pick(r); p.put(r, gelu(x, r.flag() ? "tanh" : "none")); }},
    {"softplus", [](ByteReader& r, Pool& p) { const Tensor x = p.pick(r); p.put(r, softplus(x, r.real(), r.real())); }},
    {"leaky_relu", [](ByteReader& r, Pool& p) { const Tensor x = p.pick(r); p.put(r, leaky_relu(x, r.real())); }},
    {"elu", [](ByteReader& r, Pool& p) { const Tensor x = p.pick(r); p.put(r, elu(x, r.real())); }},
    {"clamp",
     [](ByteReader& r, Pool& p) {
       const Tensor x = p.pick(r);
       std::optional<Scalar> lo, hi;
       if (r.flag()) lo = r.scalar();
       if (r.flag()) hi = r.scalar();
       p.put(r, clamp(x, lo, hi));
     }},
    WICK_FUZZ_BINARY(add), WICK_FUZZ_BINARY(sub), WICK_FUZZ_BINARY(mul), WICK_FUZZ_BINARY(div),
    WICK_FUZZ_BINARY(remainder), WICK_FUZZ_BINARY(pow), WICK_FUZZ_BINARY(maximum), WICK_FUZZ_BINARY(minimum),
    WICK_FUZZ_BINARY(atan2), WICK_FUZZ_BINARY(eq), WICK_FUZZ_BINARY(ne), WICK_FUZZ_BINARY(lt),
    WICK_FUZZ_BINARY(le), WICK_FUZZ_BINARY(gt), WICK_FUZZ_BINARY(ge), WICK_FUZZ_BINARY(logical_and),
    WICK_FUZZ_BINARY(logical_or), WICK_FUZZ_BINARY(logical_xor),
    WICK_FUZZ_BINARY_SCALAR(add), WICK_FUZZ_BINARY_SCALAR(sub), WICK_FUZZ_BINARY_SCALAR(mul),
    WICK_FUZZ_BINARY_SCALAR(div), WICK_FUZZ_BINARY_SCALAR(remainder), WICK_FUZZ_BINARY_SCALAR(pow),
    WICK_FUZZ_BINARY_SCALAR(lt),
    {"pow(scalar base)", [](ByteReader& r, Pool& p) { const Scalar s = r.scalar(); p.put(r, pow(s, p.pick(r))); }},
    {"add(alpha)",
     [](ByteReader& r, Pool& p) {
       const Tensor a = p.pick(r), b = p.pick(r);
       p.put(r, add(a, b, r.scalar()));
     }},
    {"where",
     [](ByteReader& r, Pool& p) {
       const Tensor c = p.pick(r), a = p.pick(r);
       p.put(r, where(c, a, p.pick(r)));
     }},
    {"masked_fill",
     [](ByteReader& r, Pool& p) {
       const Tensor x = p.pick(r), mask = p.pick(r);
       p.put(r, masked_fill(x, mask, r.scalar()));
     }},
    {"lerp",
     [](ByteReader& r, Pool& p) {
       const Tensor a = p.pick(r), b = p.pick(r);
       p.put(r, lerp(a, b, r.scalar()));
     }},
    // ---- in place
    {"add_", [](ByteReader& r, Pool& p) { const Tensor x = p.pick(r); x.add_(p.pick(r)); }},
    {"mul_(scalar)", [](ByteReader& r, Pool& p) { const Tensor x = p.pick(r); x.mul_(r.scalar()); }},
    {"div_", [](ByteReader& r, Pool& p) { const Tensor x = p.pick(r); x.div_(p.pick(r)); }},
    {"fill_", [](ByteReader& r, Pool& p) { const Tensor x = p.pick(r); x.fill_(r.scalar()); }},
    {"clamp_", [](ByteReader& r, Pool& p) { const Tensor x = p.pick(r); x.clamp_(r.scalar(), r.scalar()); }},
    {"pow_", [](ByteReader& r, Pool& p) { const Tensor x = p.pick(r); x.pow_(r.scalar()); }},
    {"masked_fill_",
     [](ByteReader& r, Pool& p) {
       const Tensor x = p.pick(r), mask = p.pick(r);
       x.masked_fill_(mask, r.scalar());
     }},
    // ---- reductions
    {"sum",
     [](ByteReader& r, Pool& p) {
       const Tensor x = p.pick(r);
       const auto dims = r.dims(x.dim());
       const bool keepdim = r.flag();
       p.put(r, r.flag() ? sum(x, dims, keepdim, r.dtype()) : sum(x, dims, keepdim));
     }},
    {"mean",
     [](ByteReader& r, Pool& p) {
       const Tensor x = p.pick(r);
       const auto dims = r.dims(x.dim());
       const bool keepdim = r.flag();
       p.put(r, r.flag() ? mean(x, dims, keepdim, r.dtype()) : mean(x, dims, keepdim));
     }},
    WICK_FUZZ_UNARY(sum), WICK_FUZZ_UNARY(mean), WICK_FUZZ_UNARY(prod), WICK_FUZZ_UNARY(max), WICK_FUZZ_UNARY(min),
    WICK_FUZZ_UNARY(all), WICK_FUZZ_UNARY(any), WICK_FUZZ_UNARY(norm),
    {"prod(dim)",
     [](ByteReader& r, Pool& p) {
       const Tensor x = p.pick(r);
       const int64_t d = r.dim(x.dim());
       p.put(r, prod(x, d, r.flag()));
     }},
    {"max(dim)",
     [](ByteReader& r, Pool& p) {
       const Tensor x = p.pick(r);
       const int64_t d = r.dim(x.dim());
       auto [values, indices] = max(x, d, r.flag());
       p.put(r, values);
       p.put(r, indices);
     }},
    {"min(dim)",
     [](ByteReader& r, Pool& p) {
       const Tensor x = p.pick(r);
       const int64_t d = r.dim(x.dim());
       auto [values, indices] = min(x, d, r.flag());
       p.put(r, values);
       p.put(r, indices);
     }},
    {"amax",
     [](ByteReader& r, Pool& p) {
       const Tensor x = p.pick(r);
       const auto dims = r.dims(x.dim());
       p.put(r, amax(x, dims, r.flag()));
     }},
    {"amin",
     [](ByteReader& r, Pool& p) {
       const Tensor x = p.pick(r);
       const auto dims = r.dims(x.dim());
       p.put(r, amin(x, dims, r.flag()));
     }},
    {"argmax",
     [](ByteReader& r, Pool& p) {
       const Tensor x = p.pick(r);
       const auto d = maybe_int(r, -x.dim() - 1, x.dim());
       p.put(r, argmax(x, d, r.flag()));
     }},
    {"argmin",
     [](ByteReader& r, Pool& p) {
       const Tensor x = p.pick(r);
       const auto d = maybe_int(r, -x.dim() - 1, x.dim());
       p.put(r, argmin(x, d, r.flag()));
     }},
    {"var",
     [](ByteReader& r, Pool& p) {
       const Tensor x = p.pick(r);
       const auto dims = r.dims(x.dim());
       const bool unbiased = r.flag();
       p.put(r, var(x, IntArrayRef(dims), unbiased, r.flag()));
     }},
    {"std",
     [](ByteReader& r, Pool& p) {
       const Tensor x = p.pick(r);
       const auto dims = r.dims(x.dim());
       const bool unbiased = r.flag();
       p.put(r, std(x, IntArrayRef(dims), unbiased, r.flag()));
     }},
    {"norm(p, dims)",
     [](ByteReader& r, Pool& p) {
       const Tensor x = p.pick(r);
       const Scalar order = r.scalar();
       const auto dims = r.dims(x.dim());
       p.put(r, norm(x, order, dims, r.flag()));
     }},
    {"logsumexp",
     [](ByteReader& r, Pool& p) {
       const Tensor x = p.pick(r);
       const auto dims = r.dims(x.dim());
       p.put(r, logsumexp(x, dims, r.flag()));
     }},
    {"all(dim)",
     [](ByteReader& r, Pool& p) {
       const Tensor x = p.pick(r);
       const int64_t d = r.dim(x.dim());
       p.put(r, all(x, d, r.flag()));
     }},
    {"any(dim)",
     [](ByteReader& r, Pool& p) {
       const Tensor x = p.pick(r);
       const int64_t d = r.dim(x.dim());
       p.put(r, any(x, d, r.flag()));
     }},
    {"softmax",
     [](ByteReader& r, Pool& p) {
       const Tensor x = p.pick(r);
       const int64_t d = r.dim(x.dim());
       p.put(r, r.flag() ? softmax(x, d, r.dtype()) : softmax(x, d));
     }},
    {"log_softmax",
     [](ByteReader& r, Pool& p) {
       const Tensor x = p.pick(r);
       const int64_t d = r.dim(x.dim());
       p.put(r, r.flag() ? log_softmax(x, d, r.dtype()) : log_softmax(x, d));
     }},
    // ---- linear algebra
    WICK_FUZZ_BINARY(matmul), WICK_FUZZ_BINARY(mm), WICK_FUZZ_BINARY(bmm), WICK_FUZZ_BINARY(outer),
    WICK_FUZZ_BINARY(dot),
    {"matmul(fitting)",
     [](ByteReader& r, Pool& p) {
       const Tensor a = p.pick(r);
       std::vector<int64_t> shape = {a.dim() > 0 ? a.size(-1) : 1};
       for (int64_t extra = r.in_range(0, 2); extra > 0; --extra) shape.insert(shape.begin() + r.flag(), r.in_range(0, 3));
       p.put(r, matmul(a, from_bytes(r, shape, a.dtype())));
     }},
    {"addmm",
     [](ByteReader& r, Pool& p) {
       const Tensor bias = p.pick(r), a = p.pick(r), b = p.pick(r);
       const Scalar beta = r.scalar();
       p.put(r, addmm(bias, a, b, beta, r.scalar()));
     }},
    {"linear",
     [](ByteReader& r, Pool& p) {
       const Tensor x = p.pick(r), w = p.pick(r);
       p.put(r, linear(x, w, r.flag() ? p.pick(r) : Tensor()));
     }},
    // ---- shape and views
    {"view", [](ByteReader& r, Pool& p) { const Tensor x = p.pick(r); p.put(r, view(x, r.sizes())); }},
    {"reshape", [](ByteReader& r, Pool& p) { const Tensor x = p.pick(r); p.put(r, reshape(x, r.sizes())); }},
    {"flatten",
     [](ByteReader& r, Pool& p) {
       const Tensor x = p.pick(r);
       const int64_t start = r.dim(x.dim());
       p.put(r, flatten(x, start, r.dim(x.dim())));
     }},
    {"unflatten",
     [](ByteReader& r, Pool& p) {
       const Tensor x = p.pick(r);
       const int64_t d = r.dim(x.dim());
       p.put(r, unflatten(x, d, r.sizes()));
     }},
    WICK_FUZZ_UNARY(squeeze),
    {"squeeze(dim)", [](ByteReader& r, Pool& p) { const Tensor x = p.pick(r); p.put(r, squeeze(x, r.dim(x.dim()))); }},
    {"unsqueeze",
     [](ByteReader& r, Pool& p) { const Tensor x = p.pick(r); p.put(r, unsqueeze(x, r.dim(x.dim() + 1))); }},
    {"permute",
     [](ByteReader& r, Pool& p) {
       const Tensor x = p.pick(r);
       std::vector<int64_t> dims(size_t(x.dim()));
       for (int64_t& d : dims) d = r.dim(x.dim());
       if (r.flag()) dims.push_back(0);
       p.put(r, permute(x, dims));
     }},
    {"transpose",
     [](ByteReader& r, Pool& p) {
       const Tensor x = p.pick(r);
       const int64_t d0 = r.dim(x.dim());
       p.put(r, transpose(x, d0, r.dim(x.dim())));
     }},
    WICK_FUZZ_UNARY(t),
    {"expand", [](ByteReader& r, Pool& p) { const Tensor x = p.pick(r); p.put(r, expand(x, r.sizes())); }},
    {"broadcast_to", [](ByteReader& r, Pool& p) { const Tensor x = p.pick(r); p.put(r, broadcast_to(x, r.sizes())); }},
    {"repeat",
     [](ByteReader& r, Pool& p) { const Tensor x = p.pick(r); p.put(r, repeat(x, r.small_ints(5, -1, 3))); }},
    {"cat",
     [](ByteReader& r, Pool& p) {
       const auto xs = some_tensors(r, p);
       p.put(r, cat(xs, r.in_range(-5, 4)));
     }},
    {"stack",
     [](ByteReader& r, Pool& p) {
       const auto xs = some_tensors(r, p);
       p.put(r, stack(xs, r.in_range(-6, 5)));
     }},
    {"split",
     [](ByteReader& r, Pool& p) {
       const Tensor x = p.pick(r);
       const int64_t size = r.in_range(-1, 4);
       for (const Tensor& part : split(x, size, r.dim(x.dim()))) p.put(r, part);
     }},
    {"split(sizes)",
     [](ByteReader& r, Pool& p) {
       const Tensor x = p.pick(r);
       const auto sizes = r.small_ints(4, -1, 5);
       for (const Tensor& part : split(x, IntArrayRef(sizes), r.dim(x.dim()))) p.put(r, part);
     }},
    {"chunk",
     [](ByteReader& r, Pool& p) {
       const Tensor x = p.pick(r);
       const int64_t chunks = r.in_range(-1, 4);
       for (const Tensor& part : chunk(x, chunks, r.dim(x.dim()))) p.put(r, part);
     }},
    {"unbind",
     [](ByteReader& r, Pool& p) {
       const Tensor x = p.pick(r);
       for (const Tensor& part : unbind(x, r.dim(x.dim()))) p.put(r, part);
     }},
    {"narrow",
     [](ByteReader& r, Pool& p) {
       const Tensor x = p.pick(r);
       const int64_t d = r.dim(x.dim()), start = r.in_range(-6, 6);
       p.put(r, narrow(x, d, start, r.in_range(-1, 6)));
     }},
    {"select",
     [](ByteReader& r, Pool& p) {
       const Tensor x = p.pick(r);
       const int64_t d = r.dim(x.dim());
       p.put(r, select(x, d, r.in_range(-6, 6)));
     }},
    {"slice",
     [](ByteReader& r, Pool& p) {
       const Tensor x = p.pick(r);
       const int64_t d = r.dim(x.dim());
       const auto start = maybe_int(r, -7, 7), end = maybe_int(r, -7, 7);
       p.put(r, slice(x, d, start, end, r.in_range(-1, 3)));
     }},
    {"flip", [](ByteReader& r, Pool& p) { const Tensor x = p.pick(r); p.put(r, flip(x, r.dims(x.dim()))); }},
    {"tril", [](ByteReader& r, Pool& p) { const Tensor x = p.pick(r); p.put(r, tril(x, r.in_range(-4, 4))); }},
    {"triu", [](ByteReader& r, Pool& p) { const Tensor x = p.pick(r); p.put(r, triu(x, r.in_range(-4, 4))); }},
    {"pad",
     [](ByteReader& r, Pool& p) {
       static const char* const kModes[] = {"constant", "reflect", "replicate", "circular"};
       const Tensor x = p.pick(r);
       const auto widths = r.small_ints(6, -3, 4);
       const char* mode = kModes[r.byte() % std::size(kModes)];
       p.put(r, pad(x, widths, mode, r.real()));
     }},
    // ---- indexing
    {"index",
     [](ByteReader& r, Pool& p) {
       const Tensor x = p.pick(r);
       std::vector<TensorIndex> indices;
       for (int64_t n = r.in_range(0, 3); n > 0; --n) indices.push_back(tensor_index(r, p));
       p.put(r, x.index(indices));
     }},
    {"index_put_",
     [](ByteReader& r, Pool& p) {
       const Tensor x = p.pick(r);
       const TensorIndex first = tensor_index(r, p), second = tensor_index(r, p);
       if (r.flag()) x.index_put_({first, second}, p.pick(r));
       else x.index_put_({first}, r.scalar());
     }},
    {"index_select",
     [](ByteReader& r, Pool& p) {
       const Tensor x = p.pick(r);
       const int64_t d = r.dim(x.dim());
       p.put(r, index_select(x, d, index_tensor(r, p)));
     }},
    {"index_add",
     [](ByteReader& r, Pool& p) {
       const Tensor x = p.pick(r);
       const int64_t d = r.dim(x.dim());
       const Tensor idx = index_tensor(r, p);
       p.put(r, index_add(x, d, idx, p.pick(r)));
     }},
    {"gather",
     [](ByteReader& r, Pool& p) {
       const Tensor x = p.pick(r);
       const int64_t d = r.dim(x.dim());
       p.put(r, gather(x, d, index_tensor(r, p)));
     }},
    {"scatter",
     [](ByteReader& r, Pool& p) {
       const Tensor x = p.pick(r);
       const int64_t d = r.dim(x.dim());
       const Tensor idx = index_tensor(r, p);
       p.put(r, r.flag() ? scatter(x, d, idx, p.pick(r)) : scatter(x, d, idx, r.scalar()));
     }},
    {"scatter_add",
     [](ByteReader& r, Pool& p) {
       const Tensor x = p.pick(r);
       const int64_t d = r.dim(x.dim());
       const Tensor idx = index_tensor(r, p);
       p.put(r, scatter_add(x, d, idx, p.pick(r)));
     }},
    WICK_FUZZ_BINARY(masked_select),
    WICK_FUZZ_UNARY(nonzero),
    // ---- convolution, pooling, resampling
    {"conv1d",
     [](ByteReader& r, Pool& p) {
       const Tensor x = p.pick(r);
       const int64_t groups = r.in_range(0, 2);
       const Tensor w = weight_for(r, p, x, 1, groups);
       const Tensor b = r.flag() ? p.pick(r) : Tensor();
       const auto stride = r.small_ints(1, 0, 2), padding = r.small_ints(1, -1, 2), dilation = r.small_ints(1, 0, 2);
       p.put(r, conv1d(x, w, b, stride, padding, dilation, groups));
     }},
    {"conv2d",
     [](ByteReader& r, Pool& p) {
       const Tensor x = p.pick(r);
       const int64_t groups = r.in_range(0, 2);
       const Tensor w = weight_for(r, p, x, 2, groups);
       const Tensor b = r.flag() ? p.pick(r) : Tensor();
       const auto stride = r.small_ints(2, 0, 2), padding = r.small_ints(2, -1, 2), dilation = r.small_ints(2, 0, 2);
       if (r.flag()) p.put(r, conv2d(x, w, b, stride, r.flag() ? "same" : "valid", dilation, groups));
       else p.put(r, conv2d(x, w, b, stride, padding, dilation, groups));
     }},
    {"conv_transpose2d",
     [](ByteReader& r, Pool& p) {
       const Tensor x = p.pick(r);
       const int64_t groups = r.in_range(0, 2);
       const Tensor w = weight_for(r, p, x, 2, groups);
       const auto stride = r.small_ints(2, 0, 2), padding = r.small_ints(2, -1, 2),
                  output_padding = r.small_ints(2, -1, 2), dilation = r.small_ints(2, 0, 2);
       p.put(r, conv_transpose2d(x, w, Tensor(), stride, padding, output_padding, groups, dilation));
     }},
    {"conv_transpose1d",
     [](ByteReader& r, Pool& p) {
       const Tensor x = p.pick(r);
       const int64_t groups = r.in_range(0, 2);
       const Tensor w = weight_for(r, p, x, 1, groups);
       const auto stride = r.small_ints(1, 0, 2), padding = r.small_ints(1, -1, 2),
                  output_padding = r.small_ints(1, -1, 2), dilation = r.small_ints(1, 0, 2);
       p.put(r, conv_transpose1d(x, w, Tensor(), stride, padding, output_padding, groups, dilation));
     }},
    {"max_pool2d",
     [](ByteReader& r, Pool& p) {
       const Tensor x = p.pick(r);
       const auto kernel = r.small_ints(2, -1, 3), stride = r.small_ints(2, 0, 2), padding = r.small_ints(2, -1, 2),
                  dilation = r.small_ints(2, 0, 2);
       auto [values, indices] = max_pool2d_with_indices(x, kernel, stride, padding, dilation, r.flag());
       p.put(r, values);
       p.put(r, indices);
     }},
    {"max_pool1d",
     [](ByteReader& r, Pool& p) {
       const Tensor x = p.pick(r);
       const auto kernel = r.small_ints(1, -1, 3), stride = r.small_ints(1, 0, 2), padding = r.small_ints(1, -1, 2),
                  dilation = r.small_ints(1, 0, 2);
       p.put(r, max_pool1d(x, kernel, stride, padding, dilation, r.flag()));
     }},
    {"avg_pool2d",
     [](ByteReader& r, Pool& p) {
       const Tensor x = p.pick(r);
       const auto kernel = r.small_ints(2, -1, 3), stride = r.small_ints(2, 0, 2), padding = r.small_ints(2, -1, 2);
       const bool ceil_mode = r.flag(), count_include_pad = r.flag();
       p.put(r, avg_pool2d(x, kernel, stride, padding, ceil_mode, count_include_pad, maybe_int(r, -1, 3)));
     }},
    {"avg_pool1d",
     [](ByteReader& r, Pool& p) {
       const Tensor x = p.pick(r);
       const auto kernel = r.small_ints(1, -1, 3), stride = r.small_ints(1, 0, 2), padding = r.small_ints(1, -1, 2);
       const bool ceil_mode = r.flag();
       p.put(r, avg_pool1d(x, kernel, stride, padding, ceil_mode, r.flag()));
     }},
    {"adaptive_avg_pool2d",
     [](ByteReader& r, Pool& p) { const Tensor x = p.pick(r); p.put(r, adaptive_avg_pool2d(x, r.small_ints(2, -1, 4))); }},
    {"adaptive_avg_pool1d",
     [](ByteReader& r, Pool& p) { const Tensor x = p.pick(r); p.put(r, adaptive_avg_pool1d(x, r.small_ints(1, -1, 4))); }},
    {"upsample_nearest2d",
     [](ByteReader& r, Pool& p) {
       const Tensor x = p.pick(r);
       const auto size = r.small_ints(2, -1, 6);
       std::optional<double> scale;
       if (r.flag()) scale = r.real();
       p.put(r, upsample_nearest2d(x, size, scale, scale));
     }},
    {"upsample_bilinear2d",
     [](ByteReader& r, Pool& p) {
       const Tensor x = p.pick(r);
       const auto size = r.small_ints(2, -1, 6);
       const bool align_corners = r.flag();
       std::optional<double> scale;
       if (r.flag()) scale = r.real();
       p.put(r, upsample_bilinear2d(x, size, align_corners, scale, scale));
     }},
    // ---- autograd: mark leaves, run backward through whatever was recorded, read grads
    {"requires_grad_", [](ByteReader& r, Pool& p) { p.pick(r).requires_grad_(r.flag()); }},
    {"detach", [](ByteReader& r, Pool& p) { p.put(r, p.pick(r).detach()); }},
    {"backward",
     [](ByteReader& r, Pool& p) {
       const Tensor x = p.pick(r);
       const bool retain_graph = r.flag();
       x.sum().backward({}, retain_graph);
     }},
    {"grad",
     [](ByteReader& r, Pool& p) {
       const Tensor x = p.pick(r);
       if (x.grad().defined()) p.put(r, x.grad());
     }},
};

#undef WICK_FUZZ_UNARY
#undef WICK_FUZZ_BINARY
#undef WICK_FUZZ_BINARY_SCALAR

}  // namespace

void ops(const uint8_t* data, size_t size) {
  static const bool trace = std::getenv("WICK_FUZZ_TRACE") != nullptr;
  ByteReader r(data, size);
  Pool pool;
  manual_seed(0);  // random ops give the same values on every replay of an input
  for (int step = 0; step < kMaxSteps && !r.done(); ++step) {
    const FuzzOp& op = kOps[r.byte() % std::size(kOps)];
    if (trace) std::fprintf(stderr, "wick ops fuzz: step %d: %s\n", step, op.name);
    try {
      op.run(r, pool);
    } catch (const Error& e) {
      if (trace) std::fprintf(stderr, "  wick::Error: %s\n", e.what());
    }
  }
}

}  // namespace wick::fuzz
