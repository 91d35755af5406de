// Factory functions: empty/zeros/ones/full, ranges, eye, tensor(...) from values, from_blob.
#include <cmath>
#include <cstring>

#include "compile/capture.h"
#include "ops/elementwise.h"
#include "wick/detail/op_scope.h"
#include "wick/detail/record.h"
#include "wick/ops.h"

namespace wick {

namespace {

Tensor finish(Tensor t, const TensorOptions& options) {
  if (options.requires_grad()) t.requires_grad_(true);
  return t;
}

ScalarType dtype_or(const TensorOptions& o, ScalarType fallback) {
  return o.has_dtype() ? o.dtype().toScalarType() : fallback;
}

// Builds a CPU tensor from host values of type T, then moves it to the requested dtype and device.
template <class T>
Tensor from_values(const T* values, IntArrayRef shape, ScalarType natural, const TensorOptions& options) {
  Tensor host = make_empty(shape, scalar_type_of<T>, kCPU);
  if (host.numel()) std::memcpy(host.data_ptr(), values, size_t(host.numel()) * sizeof(T));
  detail::note_host_write(host);
  const ScalarType target = dtype_or(options, natural);
  Tensor out = host.to(options.device(), target);
  return finish(out, options);
}

}  // namespace

Tensor empty(IntArrayRef size, const TensorOptions& options) {
  WICK_PROFILE_OP("empty");
  check_sizes("empty", size);
  return finish(make_empty(size, options.dtype(), options.device()), options);
}

Tensor full(IntArrayRef size, Scalar value, const TensorOptions& options) {
  WICK_PROFILE_OP("full");
  // Like torch.full: without a dtype, the fill value's own type decides (bool, int64 or float32).
  check_sizes("full", size);
  Tensor t = make_empty(size, dtype_or(options, value.natural_dtype()), options.device());
  backend_for(t.device()).fill(view_of(t), value.to_double());
  if (value.is_integral() && t.dtype() == kInt64 && std::abs(value.to_long()) > (int64_t(1) << 53)) {
    // Integers beyond double's precision: write the exact value.
    WICK_CHECK(t.is_cpu(), "full", "int64 fill values beyond 2^53 are supported on the CPU only");
    auto* p = static_cast<int64_t*>(t.data_ptr());
    for (int64_t i = 0; i < t.numel(); ++i) p[i] = value.to_long();
    detail::note_host_write(t);
  }
  return finish(t, options);
}

Tensor zeros(IntArrayRef size, const TensorOptions& options) {
  WICK_PROFILE_OP("zeros");
  check_sizes("zeros", size);
  return full(size, 0.0, options.dtype(options.dtype()));
}
Tensor ones(IntArrayRef size, const TensorOptions& options) {
  WICK_PROFILE_OP("ones");
  check_sizes("ones", size);
  return full(size, 1.0, options.dtype(options.dtype()));
}
Tensor scalar_tensor(Scalar value, const TensorOptions& options) {
  WICK_PROFILE_OP("scalar_tensor");
  return full({}, value, options.dtype(dtype_or(options, kFloat)));
}

Tensor empty_like(const Tensor& t, const TensorOptions& o) {
  WICK_PROFILE_OP("empty_like", t);
  return empty(t.sizes(), o.has_dtype() ? o.device(t.device()).requires_grad(o.requires_grad())
                                        : t.options().requires_grad(o.requires_grad()));
}
Tensor zeros_like(const Tensor& t, const TensorOptions& o) {
  WICK_PROFILE_OP("zeros_like", t);
  return zeros(t.sizes(),
               TensorOptions().dtype(dtype_or(o, t.dtype())).device(t.device()).requires_grad(o.requires_grad()));
}
Tensor ones_like(const Tensor& t, const TensorOptions& o) {
  WICK_PROFILE_OP("ones_like", t);
  return ones(t.sizes(),
              TensorOptions().dtype(dtype_or(o, t.dtype())).device(t.device()).requires_grad(o.requires_grad()));
}
Tensor full_like(const Tensor& t, Scalar value, const TensorOptions& o) {
  WICK_PROFILE_OP("full_like", t);
  return full(t.sizes(), value,
              TensorOptions().dtype(dtype_or(o, t.dtype())).device(t.device()).requires_grad(o.requires_grad()));
}
Tensor rand_like(const Tensor& t, const TensorOptions& o) {
  WICK_PROFILE_OP("rand_like", t);
  return rand(t.sizes(),
              TensorOptions().dtype(dtype_or(o, t.dtype())).device(t.device()).requires_grad(o.requires_grad()));
}
Tensor randn_like(const Tensor& t, const TensorOptions& o) {
  WICK_PROFILE_OP("randn_like", t);
  return randn(t.sizes(),
               TensorOptions().dtype(dtype_or(o, t.dtype())).device(t.device()).requires_grad(o.requires_grad()));
}

Tensor arange(Scalar end, const TensorOptions& options) {
  WICK_PROFILE_OP("arange");
  return arange(0, end, 1, options);
}
Tensor arange(Scalar start, Scalar end, const TensorOptions& options) {
  WICK_PROFILE_OP("arange");
  return arange(start, end, 1, options);
}

Tensor arange(Scalar start, Scalar end, Scalar step, const TensorOptions& options) {
  WICK_PROFILE_OP("arange");
  const double s0 = start.to_double(), e0 = end.to_double(), st0 = step.to_double();
  WICK_CHECK(std::isfinite(s0) && std::isfinite(e0), "arange", "unsupported range: ", s0, " -> ", e0);
  const bool any_float = start.is_floating_point() || end.is_floating_point() || step.is_floating_point();
  const ScalarType dtype = dtype_or(options, any_float ? kFloat : kInt64);
  WICK_CHECK(dtype != kBool, "arange", "not supported for bool");
  // As PyTorch: an integer result is computed from start, end and step truncated to int64 (arange(0, 5, 1.5)
  // as int64 is 0..4); only an int64 result also counts its elements from the truncated values.
  const bool integral = !is_floating_point(dtype);
  const double s = integral ? std::trunc(s0) : s0, e = integral ? std::trunc(e0) : e0;
  const double st = integral ? std::trunc(st0) : st0;
  WICK_CHECK(st != 0, "arange", "step must be nonzero");
  WICK_CHECK((st > 0 && e >= s) || (st < 0 && e <= s), "arange", "upper bound ", e, " and lower bound ", s,
             " are inconsistent with step sign ", st);
  // Converting a count past int64 would be UB; no allocation that large could succeed anyway.
  const double count = dtype == kInt64 || !integral ? std::ceil((e - s) / st) : std::ceil((e0 - s0) / st0);
  WICK_CHECK(count < 0x1p62, "arange", "invalid size: ", count, " elements from ", s, " to ", e, " by ", st);
  const int64_t n = int64_t(std::max(count, 0.0));
  Tensor host = make_empty({n}, kDouble, kCPU);
  auto* p = static_cast<double*>(host.data_ptr());
  for (int64_t i = 0; i < n; ++i) p[i] = s + double(i) * st;
  detail::note_host_write(host);
  return finish(host.to(options.device(), dtype), options);
}

Tensor linspace(double start, double end, int64_t steps, const TensorOptions& options) {
  WICK_PROFILE_OP("linspace");
  WICK_CHECK(steps >= 0, "linspace", "number of steps must be non-negative, got ", steps);
  const ScalarType dtype = dtype_or(options, kFloat);
  WICK_CHECK(dtype != kBool, "linspace", "not supported for bool");
  // As PyTorch: an integer dtype truncates start and end before spacing them.
  if (!is_floating_point(dtype)) {
    start = std::trunc(start);
    end = std::trunc(end);
  }
  Tensor host = make_empty({steps}, kDouble, kCPU);
  auto* p = static_cast<double*>(host.data_ptr());
  const double step = steps > 1 ? (end - start) / double(steps - 1) : 0;
  // Fill from both ends, as PyTorch does, so the last element is exactly `end` (and a single one is `start`).
  const int64_t half = steps / 2;
  for (int64_t i = 0; i < steps; ++i) p[i] = i < half ? start + step * double(i) : end - step * double(steps - 1 - i);
  if (steps == 1) p[0] = start;
  detail::note_host_write(host);
  return finish(host.to(options.device(), dtype), options);
}

Tensor eye(int64_t n, const TensorOptions& options) {
  WICK_PROFILE_OP("eye");
  return eye(n, n, options);
}

Tensor eye(int64_t n, int64_t m, const TensorOptions& options) {
  WICK_PROFILE_OP("eye");
  WICK_CHECK(n >= 0 && m >= 0, "eye", "n and m must be non-negative, got ", n, " and ", m);
  check_sizes("eye", {n, m});
  Tensor host = zeros({n, m}, TensorOptions().dtype(kDouble));
  auto* p = static_cast<double*>(host.data_ptr());
  for (int64_t i = 0; i < std::min(n, m); ++i) p[i * m + i] = 1;
  detail::note_host_write(host);
  return finish(host.to(options.device(), dtype_or(options, kFloat)), options);
}

// ---- tensor(values) -------------------------------------------------------------------------------
TensorData::TensorData(std::initializer_list<TensorData> items) : sizes_{int64_t(items.size())} {
  if (items.size() == 0) return;
  const TensorData& first = *items.begin();
  type_ = first.type_;
  sizes_.insert(sizes_.end(), first.sizes_.begin(), first.sizes_.end());
  for (const TensorData& item : items) {
    WICK_CHECK(item.sizes_ == first.sizes_, "tensor", "expected all sub-lists to have sizes ", shape_str(first.sizes_),
               ", but got one with sizes ", shape_str(item.sizes_));
    WICK_CHECK(item.type_ == type_, "tensor", "expected all elements to have the same dtype ", dtype_name(type_),
               ", but got an element of dtype ", dtype_name(item.type_));
    floats_.insert(floats_.end(), item.floats_.begin(), item.floats_.end());
    integers_.insert(integers_.end(), item.integers_.begin(), item.integers_.end());
  }
}

Tensor tensor(const TensorData& data, const TensorOptions& o) {
  WICK_PROFILE_OP("tensor");
  if (is_floating_point(data.dtype())) return from_values(data.floats().data(), data.sizes(), data.dtype(), o);
  return from_values(data.integers().data(), data.sizes(), data.dtype(), o);
}

// ---- from_blob ------------------------------------------------------------------------------------
namespace {
Tensor wrap_blob(void* data, IntArrayRef sizes, IntArrayRef strides, void (*deleter)(void*, void*), void* context,
                 const TensorOptions& options) {
  WICK_CHECK(data != nullptr || product(sizes) == 0, "from_blob", "data pointer is null");
  WICK_CHECK(sizes.size() == strides.size(), "from_blob", "got ", int64_t(sizes.size()), " sizes but ",
             int64_t(strides.size()), " strides");
  int64_t extent = 1;
  for (size_t i = 0; i < sizes.size(); ++i) {
    WICK_CHECK(sizes[i] >= 0 && strides[i] >= 0, "from_blob", "negative size or stride in ", shape_str(sizes), " / ",
               shape_str(strides));
    if (sizes[i] == 0)
      extent = 0;
    else if (extent)
      extent += (sizes[i] - 1) * strides[i];
  }
  auto* storage = new StorageImpl;
  storage->data = data;
  storage->nbytes = size_t(extent) * size_t(element_size(options.dtype()));
  storage->device = options.device();
  storage->external = true;
  storage->deleter = deleter;
  storage->deleter_context = context;
  auto* impl = new TensorImpl;
  impl->dtype = options.dtype();
  impl->device = options.device();
  impl->storage = storage;
  impl->sizes.assign(sizes);
  impl->strides.assign(strides);
  return finish(Tensor(impl), options);
}
}  // namespace

Tensor from_blob(void* data, IntArrayRef sizes, const TensorOptions& options) {
  WICK_PROFILE_OP("from_blob");
  return wrap_blob(data, sizes, contiguous_strides(sizes), nullptr, nullptr, options);
}

Tensor from_blob(void* data, IntArrayRef sizes, IntArrayRef strides, const TensorOptions& options) {
  WICK_PROFILE_OP("from_blob");
  return wrap_blob(data, sizes, strides, nullptr, nullptr, options);
}

Tensor detail::from_blob_with_deleter(void* data, IntArrayRef sizes, void (*deleter)(void*, void*), void* context,
                                      const TensorOptions& options) {
  WICK_PROFILE_OP("from_blob");  // from_blob with a deleter, inlined in the user's code, lands here
  return wrap_blob(data, sizes, contiguous_strides(sizes), deleter, context, options);
}

}  // namespace wick

namespace wick {
namespace {
// new_*'s options: this tensor's dtype unless options give one, on this tensor's device, as *_like.
TensorOptions new_options(const Tensor& t, const TensorOptions& o) {
  return TensorOptions().dtype(dtype_or(o, t.dtype())).device(t.device()).requires_grad(o.requires_grad());
}
}  // namespace

Tensor Tensor::new_empty(IntArrayRef size, const TensorOptions& o) const { return empty(size, new_options(*this, o)); }
Tensor Tensor::new_zeros(IntArrayRef size, const TensorOptions& o) const { return zeros(size, new_options(*this, o)); }
Tensor Tensor::new_ones(IntArrayRef size, const TensorOptions& o) const { return ones(size, new_options(*this, o)); }
Tensor Tensor::new_full(IntArrayRef size, Scalar value, const TensorOptions& o) const {
  return full(size, value, new_options(*this, o));
}

}  // namespace wick
