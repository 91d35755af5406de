// wick::Tensor: a reference-counted handle to a strided view of device memory. Copying a Tensor shares
// the data, as in LibTorch; clone() copies it.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <iosfwd>
#include <optional>
#include <string>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

#include "wick/device.h"
#include "wick/dtype.h"
#include "wick/error.h"
#include "wick/indexing.h"
#include "wick/memory_format.h"
#include "wick/scalar.h"
#include "wick/shape.h"
#include "wick/tensor_accessor.h"
#include "wick/tensor_impl.h"
#include "wick/tensor_options.h"

namespace wick {

class TensorIndex;
class Tensor;
namespace autograd {
class NodePtr;
}

namespace detail {
// A type-erased callable Tensor(Tensor) for gradient hooks, without <functional> in public headers.
struct HookFn {
  void* object = nullptr;
  Tensor (*call)(void* object, const Tensor& grad) = nullptr;
  void (*destroy)(void* object) = nullptr;
};

// Enables an overload for an integer that is not bool. LibTorch reads x.std(1) as "along dim 1", never as
// unbiased = true; an integer overload is an exact match for a literal, so it wins over the bool one.
template <class T>
using IfIntegerDim = std::enable_if_t<std::is_integral_v<T> && !std::is_same_v<T, bool>, int>;
}  // namespace detail

class Tensor {
 public:
  Tensor() noexcept : impl_(nullptr) {}
  explicit Tensor(TensorImpl* impl) : impl_(impl) {}  // adopts one reference
  Tensor(const Tensor& o) : impl_(o.impl_) {
    if (impl_) impl_->incref();
  }
  Tensor(Tensor&& o) noexcept : impl_(o.impl_) { o.impl_ = nullptr; }
  Tensor& operator=(const Tensor& o) & {
    if (o.impl_) o.impl_->incref();
    if (impl_) impl_->decref();
    impl_ = o.impl_;
    return *this;
  }
  Tensor& operator=(Tensor&& o) & noexcept {
    std::swap(impl_, o.impl_);
    return *this;
  }
  // `t[0] = x` style assignment writes through the view, as in LibTorch.
  Tensor& operator=(const Tensor& o) &&;
  Tensor& operator=(Scalar v) &&;
  ~Tensor() {
    if (impl_) impl_->decref();
  }

  // ---- identity and layout ----------------------------------------------------------------------
  bool defined() const { return impl_ != nullptr; }
  TensorImpl* impl() const { return impl_; }
  TensorImpl* release() { return std::exchange(impl_, nullptr); }
  bool is_same(const Tensor& o) const { return impl_ == o.impl_; }
  int64_t dim() const { return int64_t(checked()->sizes.size()); }
  int64_t ndimension() const { return dim(); }
  IntArrayRef sizes() const { return checked()->sizes; }
  IntArrayRef strides() const { return checked()->strides; }
  IntArrayRef shape() const { return sizes(); }
  int64_t size(int64_t d) const;
  int64_t stride(int64_t d) const;
  int64_t numel() const { return checked()->numel(); }
  int64_t storage_offset() const { return checked()->offset; }
  TypeMeta dtype() const { return checked()->dtype; }  // a ScalarType that prints as LibTorch's TypeMeta
  ScalarType scalar_type() const { return checked()->dtype; }
  Device device() const { return checked()->device; }
  bool is_cpu() const { return device().is_cpu(); }
  bool is_cuda() const { return device().is_cuda(); }
  bool is_floating_point() const { return wick::is_floating_point(dtype()); }
  int64_t element_size() const { return wick::element_size(dtype()); }
  size_t nbytes() const { return size_t(numel()) * size_t(element_size()); }
  TensorOptions options() const { return TensorOptions().dtype(dtype()).device(device()); }
  bool is_contiguous() const;
  bool is_inference() const { return checked()->is_inference; }
  uint32_t _version() const { return checked()->storage->version; }
  bool is_alias_of(const Tensor& o) const { return checked()->storage == o.checked()->storage; }

  // ---- element access ---------------------------------------------------------------------------
  template <class T>
  T* data_ptr() const;  // checks dtype; CPU or CUDA pointer as the tensor lives
  void* data_ptr() const { return checked()->byte_ptr(); }
  template <class T>
  T item() const;  // single-element tensors only
  Scalar item() const;
  // a[i][j] access to a CPU tensor of dtype T and N dims (tensor_accessor.h); the tensor must outlive it.
  template <class T, size_t N>
  TensorAccessor<T, N> accessor() const&;
  template <class T, size_t N>
  TensorAccessor<T, N> accessor() && = delete;  // would point into a temporary, as LibTorch forbids too

  // ---- copies and conversions -------------------------------------------------------------------
  Tensor contiguous(MemoryFormat memory_format = MemoryFormat::Contiguous) const;
  Tensor clone() const;
  // A new tensor with this one's dtype and device unless options say otherwise, as LibTorch's new_* methods.
  Tensor new_empty(IntArrayRef size, const TensorOptions& options = {}) const;
  Tensor new_zeros(IntArrayRef size, const TensorOptions& options = {}) const;
  Tensor new_ones(IntArrayRef size, const TensorOptions& options = {}) const;
  Tensor new_full(IntArrayRef size, Scalar fill_value, const TensorOptions& options = {}) const;
  Tensor& copy_(const Tensor& src) const;
  // As LibTorch's: the first bool is non_blocking (a hint; copies here are synchronous), the second copy.
  // memory_format: Contiguous or Preserve (wick's layouts are strided row-major; ChannelsLast is an error).
  Tensor to(ScalarType dtype, bool non_blocking = false, bool copy = false,
            std::optional<MemoryFormat> memory_format = std::nullopt) const;
  Tensor to(Device device, ScalarType dtype, bool non_blocking = false, bool copy = false,
            std::optional<MemoryFormat> memory_format = std::nullopt) const;
  // dtype() is a TypeMeta, which converts both to ScalarType and to TensorOptions: this picks the first.
  Tensor to(TypeMeta dtype, bool non_blocking = false, bool copy = false,
            std::optional<MemoryFormat> memory_format = std::nullopt) const {
    return to(dtype.toScalarType(), non_blocking, copy, memory_format);
  }
  Tensor to(const TensorOptions& options, bool non_blocking = false, bool copy = false,
            std::optional<MemoryFormat> memory_format = std::nullopt) const;
  Tensor to(Device device, bool non_blocking = false, bool copy = false) const {
    return to(device, dtype(), non_blocking, copy);
  }
  Tensor to(DeviceType device, bool non_blocking = false, bool copy = false) const {
    return to(Device(device), dtype(), non_blocking, copy);
  }
  Tensor to(const Tensor& other, bool non_blocking = false, bool copy = false) const {
    return to(other.device(), other.dtype(), non_blocking, copy);
  }
  Tensor cpu() const { return to(kCPU); }
  Tensor cuda() const { return to(kCUDA); }
  Tensor type_as(const Tensor& other) const { return to(other.dtype()); }

  // ---- autograd: what the tape recorded for this tensor (lib/src/tensor_autograd.cpp); backward() runs the
  // engine and is defined by the autograd layer (autograd/src/tensor_backward.cpp) -----------------------
  bool requires_grad() const { return checked()->requires_grad; }
  Tensor& requires_grad_(bool requires_grad = true) const;
  Tensor& set_requires_grad(bool r) const { return requires_grad_(r); }
  const Tensor& grad() const;
  Tensor& mutable_grad() const;
  bool is_leaf() const { return checked()->grad_fn == nullptr; }
  void retain_grad();
  bool retains_grad() const { return checked()->retains_grad; }
  Tensor detach() const;
  // LibTorch's x.data(): the same storage, outside the graph (an alias of detach()).
  Tensor data() const { return detach(); }
  Tensor& detach_() const;
  void backward(const Tensor& gradient = Tensor(), std::optional<bool> retain_graph = std::nullopt,
                bool create_graph = false) const;
  // The node that recorded this tensor, as LibTorch's grad_fn(): null for a leaf; ->name(), ->next_edges()
  // (defined by the autograd layer: <wick/autograd/node.h>, which <wick/wick.h> includes).
  autograd::NodePtr grad_fn() const;
  std::string grad_fn_name() const;  // grad_fn()->name(): LibTorch's node name, "MulBackward0"; "" for leaves
  // Which output of grad_fn() this tensor is (split's pieces count 0, 1, ...); 0 for leaves, as LibTorch's.
  int64_t output_nr() const { return checked()->output_nr; }
  // Runs hook(grad) when this tensor's gradient is computed; a defined return value replaces it.
  template <class F>
  unsigned register_hook(F&& hook) const;
  // PyTorch 2's register_post_accumulate_grad_hook: on a leaf, runs hook(tensor) once per backward, after every
  // contribution of that backward has been added to its .grad (data-parallel training starts a parameter's
  // gradient exchange from here). Not run by autograd::grad, which accumulates nothing.
  template <class F>
  unsigned register_post_accumulate_grad_hook(F&& hook) const;
  void remove_hook(unsigned handle) const;  // either kind
  // Marks what the tape records for this tensor's ops, shown by anomaly mode and graph export.
  Tensor& set_name(const std::string& name) const;

  // ---- elementwise (methods mirror the free functions in ops.h) ---------------------------------
  Tensor neg() const;
  Tensor abs() const;
  Tensor sign() const;
  Tensor exp() const;
  Tensor log() const;
  Tensor log1p() const;
  Tensor expm1() const;
  Tensor sqrt() const;
  Tensor rsqrt() const;
  Tensor reciprocal() const;
  Tensor square() const;
  Tensor sin() const;
  Tensor cos() const;
  Tensor tanh() const;
  Tensor sigmoid() const;
  Tensor relu() const;
  Tensor floor() const;
  Tensor ceil() const;
  Tensor round() const;
  Tensor trunc() const;
  Tensor pow(const Tensor& exponent) const;
  Tensor pow(Scalar exponent) const;
  Tensor clamp(std::optional<Scalar> min, std::optional<Scalar> max = std::nullopt) const;
  Tensor clamp_min(Scalar min) const;
  Tensor clamp_max(Scalar max) const;
  Tensor add(const Tensor& other, Scalar alpha = 1) const;
  Tensor add(Scalar other, Scalar alpha = 1) const;
  Tensor sub(const Tensor& other, Scalar alpha = 1) const;
  Tensor sub(Scalar other, Scalar alpha = 1) const;
  Tensor mul(const Tensor& other) const;
  Tensor mul(Scalar other) const;
  Tensor div(const Tensor& other) const;
  Tensor div(Scalar other) const;
  Tensor remainder(const Tensor& other) const;
  Tensor remainder(Scalar other) const;
  Tensor maximum(const Tensor& other) const;
  Tensor minimum(const Tensor& other) const;
  Tensor eq(const Tensor& other) const;
  Tensor eq(Scalar other) const;
  Tensor ne(const Tensor& other) const;
  Tensor ne(Scalar other) const;
  Tensor lt(const Tensor& other) const;
  Tensor lt(Scalar other) const;
  Tensor le(const Tensor& other) const;
  Tensor le(Scalar other) const;
  Tensor gt(const Tensor& other) const;
  Tensor gt(Scalar other) const;
  Tensor ge(const Tensor& other) const;
  Tensor ge(Scalar other) const;
  Tensor logical_and(const Tensor& other) const;
  Tensor logical_or(const Tensor& other) const;
  Tensor logical_not() const;
  Tensor masked_fill(const Tensor& mask, Scalar value) const;
  Tensor masked_fill(const Tensor& mask, const Tensor& value) const;
  Tensor isnan() const;
  Tensor isinf() const;

  // in place: each bumps the version counter; a leaf that requires grad refuses them
  Tensor& neg_() const;
  Tensor& abs_() const;
  Tensor& exp_() const;
  Tensor& log_() const;
  Tensor& sqrt_() const;
  Tensor& tanh_() const;
  Tensor& sigmoid_() const;
  Tensor& relu_() const;
  Tensor& clamp_(std::optional<Scalar> min, std::optional<Scalar> max = std::nullopt) const;
  Tensor& pow_(Scalar exponent) const;
  Tensor& add_(const Tensor& other, Scalar alpha = 1) const;
  Tensor& add_(Scalar other, Scalar alpha = 1) const;
  Tensor& sub_(const Tensor& other, Scalar alpha = 1) const;
  Tensor& sub_(Scalar other, Scalar alpha = 1) const;
  Tensor& mul_(const Tensor& other) const;
  Tensor& mul_(Scalar other) const;
  Tensor& div_(const Tensor& other) const;
  Tensor& div_(Scalar other) const;
  Tensor& masked_fill_(const Tensor& mask, Scalar value) const;
  Tensor& zero_() const;
  Tensor& fill_(Scalar value) const;
  Tensor& fill_(const Tensor& value) const;
  Tensor& uniform_(double from = 0, double to = 1) const;
  Tensor& normal_(double mean = 0, double std = 1) const;
  Tensor& bernoulli_(double p = 0.5) const;
  Tensor multinomial(int64_t num_samples, bool replacement = false) const;

  // ---- reductions -------------------------------------------------------------------------------
  Tensor sum(std::optional<ScalarType> dtype = std::nullopt) const;
  Tensor sum(IntArrayRef dims, bool keepdim = false, std::optional<ScalarType> dtype = std::nullopt) const;
  Tensor mean(std::optional<ScalarType> dtype = std::nullopt) const;
  Tensor mean(IntArrayRef dims, bool keepdim = false, std::optional<ScalarType> dtype = std::nullopt) const;
  Tensor prod(std::optional<ScalarType> dtype = std::nullopt) const;
  Tensor prod(int64_t dim, bool keepdim = false, std::optional<ScalarType> dtype = std::nullopt) const;
  Tensor max() const;
  std::tuple<Tensor, Tensor> max(int64_t dim, bool keepdim = false) const;
  Tensor min() const;
  std::tuple<Tensor, Tensor> min(int64_t dim, bool keepdim = false) const;
  Tensor max(const Tensor& other) const;  // maximum(other), as LibTorch's alias
  Tensor min(const Tensor& other) const;  // minimum(other)
  Tensor amax(IntArrayRef dims = {}, bool keepdim = false) const;
  Tensor amin(IntArrayRef dims = {}, bool keepdim = false) const;
  Tensor argmax(std::optional<int64_t> dim = std::nullopt, bool keepdim = false) const;
  Tensor argmin(std::optional<int64_t> dim = std::nullopt, bool keepdim = false) const;
  // As LibTorch: x.var(true) is the whole tensor's, x.var(1) and x.var({0, 1}) reduce those dims, and a
  // correction (PyTorch's N - correction denominator) replaces unbiased where given.
  Tensor var(bool unbiased = true) const;
  Tensor var(IntArrayRef dims, bool unbiased = true, bool keepdim = false) const;
  Tensor var(IntArrayRef dims, std::optional<int64_t> correction, bool keepdim = false) const;
  Tensor var(std::initializer_list<int64_t> dims, bool unbiased = true, bool keepdim = false) const {
    return var(IntArrayRef(dims), unbiased, keepdim);
  }
  template <class Dim, detail::IfIntegerDim<Dim> = 0>
  Tensor var(Dim dim, bool unbiased = true, bool keepdim = false) const {
    const int64_t d = dim;
    return var(IntArrayRef(d), unbiased, keepdim);
  }
  Tensor std(bool unbiased = true) const;
  Tensor std(IntArrayRef dims, bool unbiased = true, bool keepdim = false) const;
  Tensor std(IntArrayRef dims, std::optional<int64_t> correction, bool keepdim = false) const;
  Tensor std(std::initializer_list<int64_t> dims, bool unbiased = true, bool keepdim = false) const {
    return std(IntArrayRef(dims), unbiased, keepdim);
  }
  template <class Dim, detail::IfIntegerDim<Dim> = 0>
  Tensor std(Dim dim, bool unbiased = true, bool keepdim = false) const {
    const int64_t d = dim;
    return std(IntArrayRef(d), unbiased, keepdim);
  }
  Tensor norm(Scalar p = 2) const;
  Tensor norm(Scalar p, IntArrayRef dims, bool keepdim = false) const;
  Tensor logsumexp(IntArrayRef dims, bool keepdim = false) const;
  Tensor all() const;
  Tensor all(int64_t dim, bool keepdim = false) const;
  Tensor any() const;
  Tensor any(int64_t dim, bool keepdim = false) const;
  Tensor softmax(int64_t dim, std::optional<ScalarType> dtype = std::nullopt) const;
  Tensor log_softmax(int64_t dim, std::optional<ScalarType> dtype = std::nullopt) const;
  Tensor cumsum(int64_t dim, std::optional<ScalarType> dtype = std::nullopt) const;
  std::tuple<Tensor, Tensor> sort(int64_t dim = -1, bool descending = false) const;  // stable (see wick::sort)
  std::tuple<Tensor, Tensor> sort(std::optional<bool> stable, int64_t dim = -1, bool descending = false) const;
  std::tuple<Tensor, Tensor> topk(int64_t k, int64_t dim = -1, bool largest = true, bool sorted = true) const;

  // ---- linear algebra ---------------------------------------------------------------------------
  Tensor matmul(const Tensor& other) const;
  Tensor mm(const Tensor& other) const;
  Tensor bmm(const Tensor& other) const;
  Tensor t() const;

  // ---- shape and views --------------------------------------------------------------------------
  Tensor view(IntArrayRef shape) const;
  Tensor view_as(const Tensor& other) const { return view(other.sizes()); }
  Tensor reshape(IntArrayRef shape) const;
  Tensor reshape_as(const Tensor& other) const { return reshape(other.sizes()); }
  Tensor flatten(int64_t start_dim = 0, int64_t end_dim = -1) const;
  Tensor unflatten(int64_t dim, IntArrayRef sizes) const;
  Tensor squeeze() const;
  Tensor squeeze(int64_t dim) const;
  Tensor unsqueeze(int64_t dim) const;
  Tensor permute(IntArrayRef dims) const;
  Tensor transpose(int64_t dim0, int64_t dim1) const;
  Tensor expand(IntArrayRef sizes) const;
  Tensor expand_as(const Tensor& other) const { return expand(other.sizes()); }
  Tensor repeat(IntArrayRef repeats) const;
  std::vector<Tensor> split(int64_t split_size, int64_t dim = 0) const;
  std::vector<Tensor> split(IntArrayRef split_sizes, int64_t dim = 0) const;
  std::vector<Tensor> chunk(int64_t chunks, int64_t dim = 0) const;
  std::vector<Tensor> unbind(int64_t dim = 0) const;
  Tensor narrow(int64_t dim, int64_t start, int64_t length) const;
  Tensor select(int64_t dim, int64_t index) const;
  Tensor slice(int64_t dim, std::optional<int64_t> start, std::optional<int64_t> end, int64_t step = 1) const;
  Tensor diagonal(int64_t offset = 0, int64_t dim1 = 0, int64_t dim2 = 1) const;
  Tensor operator[](int64_t index) const { return select(0, index); }
  Tensor index(std::initializer_list<TensorIndex> indices) const;
  Tensor index(const std::vector<TensorIndex>& indices) const;
  Tensor& index_put_(std::initializer_list<TensorIndex> indices, const Tensor& value) const;
  Tensor& index_put_(std::initializer_list<TensorIndex> indices, Scalar value) const;
  Tensor index_select(int64_t dim, const Tensor& index) const;
  Tensor gather(int64_t dim, const Tensor& index) const;
  Tensor scatter(int64_t dim, const Tensor& index, const Tensor& src) const;
  Tensor scatter(int64_t dim, const Tensor& index, Scalar value) const;
  Tensor scatter_add(int64_t dim, const Tensor& index, const Tensor& src) const;
  Tensor index_add(int64_t dim, const Tensor& index, const Tensor& source) const;
  Tensor flip(IntArrayRef dims) const;

  std::string toString() const;  // "CPUFloatType" style type name, as in LibTorch
  std::string str() const;       // the printed form: tensor([[1., 2.]], requires_grad=True)

 private:
  TensorImpl* checked() const {
    if (!impl_) detail::throw_error("wick::Tensor: operation on an undefined tensor");
    return impl_;
  }
  unsigned register_hook_impl(detail::HookFn hook) const;
  unsigned register_post_accumulate_grad_hook_impl(detail::HookFn hook) const;

  TensorImpl* impl_;
};

std::ostream& operator<<(std::ostream& os, const Tensor& t);

// One entry of an index expression: an integer, a Slice, None, Ellipsis, a bool or a Tensor.
class TensorIndex {
 public:
  enum class Kind : uint8_t { Integer, Slice, None, Ellipsis, Boolean, Tensor };
  TensorIndex(int64_t i) : kind_(Kind::Integer), integer_(i) {}
  TensorIndex(int i) : kind_(Kind::Integer), integer_(i) {}
  TensorIndex(indexing::Slice s) : kind_(Kind::Slice), slice_(s) {}
  TensorIndex(std::nullopt_t) : kind_(Kind::None) {}
  TensorIndex(indexing::EllipsisIndex) : kind_(Kind::Ellipsis) {}
  TensorIndex(bool b) : kind_(Kind::Boolean), integer_(b) {}
  TensorIndex(Tensor t) : kind_(Kind::Tensor), tensor_(std::move(t)) {}
  TensorIndex(const char* s);  // "..." means Ellipsis

  Kind kind() const { return kind_; }
  int64_t integer() const { return integer_; }
  const indexing::Slice& slice() const { return slice_; }
  const Tensor& tensor() const { return tensor_; }

 private:
  Kind kind_;
  int64_t integer_ = 0;
  indexing::Slice slice_;
  Tensor tensor_;
};

namespace detail {
// Erases hook, which returns a Tensor or nothing (then the call returns an undefined Tensor).
template <class F>
HookFn erase_hook(F&& hook) {
  using Fn = std::decay_t<F>;
  HookFn erased;
  erased.object = new Fn(std::forward<F>(hook));
  erased.call = [](void* object, const Tensor& t) -> Tensor {
    Fn& fn = *static_cast<Fn*>(object);
    if constexpr (std::is_void_v<decltype(fn(t))>) {
      fn(t);
      return Tensor();
    } else {
      return fn(t);
    }
  };
  erased.destroy = [](void* object) { delete static_cast<Fn*>(object); };
  return erased;
}
}  // namespace detail

template <class F>
unsigned Tensor::register_hook(F&& hook) const {
  return register_hook_impl(detail::erase_hook(std::forward<F>(hook)));
}

template <class F>
unsigned Tensor::register_post_accumulate_grad_hook(F&& hook) const {
  return register_post_accumulate_grad_hook_impl(detail::erase_hook(std::forward<F>(hook)));
}

template <class T, size_t N>
TensorAccessor<T, N> Tensor::accessor() const& {
  static_assert(N > 0, "accessor() is for tensors of at least one dimension; use item<T>() for a 0-dim one");
  WICK_CHECK(dim() == int64_t(N), "accessor", "expected a tensor of ", N, " dims but this one has ", dim());
  WICK_CHECK(is_cpu(), "accessor", "reads host memory, and this tensor is on ", device().str(), " (take .cpu() first)");
  return TensorAccessor<T, N>(data_ptr<T>(), sizes().data(), strides().data());
}

}  // namespace wick
