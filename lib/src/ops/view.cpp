// Views: results share the input's storage with new sizes/strides/offset. Each records how to carry a
// gradient back to the input's layout.
#include <algorithm>
#include <optional>

#include "ops/elementwise.h"
#include "ops/strided.h"
#include "wick/detail/op_scope.h"
#include "wick/detail/record.h"
#include "wick/ops.h"

namespace wick {

using detail::Grads;
using detail::record;
using detail::record_needed;

namespace {

// PyTorch's computeStride: strides that let `shape` view memory laid out as (old_shape, old_strides), or
// nothing if the view would have to copy.
std::optional<SizeVec> view_strides(IntArrayRef old_shape, IntArrayRef old_strides, IntArrayRef shape) {
  SizeVec strides(shape.size());
  if (old_shape.empty()) {
    strides.assign(shape.size(), 1);
    return strides;
  }
  if (product(old_shape) == 0) {
    if (old_shape.equals(shape)) return SizeVec(old_strides);
    return contiguous_strides(shape);
  }
  int64_t view_d = int64_t(shape.size()) - 1;
  int64_t chunk_base_stride = old_strides.back();
  int64_t tensor_numel = 1, view_numel = 1;
  for (int64_t tensor_d = int64_t(old_shape.size()) - 1; tensor_d >= 0; --tensor_d) {
    tensor_numel *= old_shape[size_t(tensor_d)];
    if (tensor_d == 0 || (old_shape[size_t(tensor_d - 1)] != 1 &&
                          old_strides[size_t(tensor_d - 1)] != tensor_numel * chunk_base_stride)) {
      while (view_d >= 0 && (view_numel < tensor_numel || shape[size_t(view_d)] == 1)) {
        strides[size_t(view_d)] = view_numel * chunk_base_stride;
        view_numel *= shape[size_t(view_d)];
        --view_d;
      }
      if (view_numel != tensor_numel) return std::nullopt;
      if (tensor_d > 0) {
        chunk_base_stride = old_strides[size_t(tensor_d - 1)];
        tensor_numel = 1;
        view_numel = 1;
      }
    }
  }
  if (view_d != -1) return std::nullopt;
  return strides;
}

// Resolves one -1 in a requested shape and checks the element count.
SizeVec infer_shape(const char* op, IntArrayRef requested, int64_t numel) {
  SizeVec shape(requested);
  int64_t known = 1, infer = -1;
  for (size_t i = 0; i < shape.size(); ++i) {
    if (shape[i] == -1) {
      WICK_CHECK(infer < 0, op, "only one dimension can be inferred in shape ", shape_str(requested));
      infer = int64_t(i);
    } else {
      WICK_CHECK(shape[i] >= 0, op, "invalid shape dimension ", shape[i], " in ", shape_str(requested));
      WICK_CHECK(!__builtin_mul_overflow(known, shape[i], &known), op, "shape ", shape_str(requested),
                 " has more elements than int64 counts");
    }
  }
  if (infer >= 0) {
    WICK_CHECK(known != 0 && numel % known == 0, op, "shape ", shape_str(requested), " is invalid for input of size ",
               numel);
    shape[size_t(infer)] = numel / known;
  } else {
    WICK_CHECK(known == numel, op, "shape ", shape_str(requested), " is invalid for input of size ", numel);
  }
  return shape;
}

// An alias of x that remembers x's root base, so in-place writes through it reach the base's history. A view
// made a leaf by requires_grad_() is a root of its own: in-place writes through its views must then be refused
// as for any leaf's (rebasing the storage's root instead would tie the leaf into a reference cycle, as
// tests/fuzz found).
Tensor view_alias(const Tensor& x, IntArrayRef shape, IntArrayRef strides, int64_t offset) {
  Tensor out = make_alias(x, shape, strides, offset);
  TensorImpl* xi = x.impl();
  const bool grad_leaf = xi->grad_fn == nullptr && xi->requires_grad;
  TensorImpl* base = xi->view_base && !grad_leaf ? xi->view_base : xi;
  base->incref();
  out.impl()->view_base = base;
  return out;
}

// A recorded alias of x whose gradient is reshaped back to x's shape.
Tensor reshaped_alias(detail::OpName op, const Tensor& x, IntArrayRef shape, IntArrayRef strides) {
  Tensor out = view_alias(x, shape, strides, x.storage_offset());
  if (record_needed(x)) record(op, {&x}, out, [in_shape = SizeVec(x.sizes())](Grads g) { g.in[0] = g.out[0].reshape(in_shape); });
  return out;
}

// The gradient of a slice: g placed into zeros of the input's shape. Recorded, so it differentiates again.
Tensor slice_backward(const Tensor& g, IntArrayRef in_shape, int64_t dim, int64_t start, int64_t step) {
  Tensor z = zeros(in_shape, g.options());
  Tensor region = make_alias(z, g.sizes(), z.strides(), 0);
  {
    TensorImpl* r = region.impl();
    r->offset = start * z.stride(dim);
    r->strides[size_t(dim)] = z.stride(dim) * step;
  }
  backend_for(z.device()).copy(view_of(region), view_of(g));
  if (record_needed(g))
    record("slice_backward", {&g}, z, [dim, start, step, n = g.size(dim)](Grads gg) {
      gg.in[0] = gg.out[0].slice(dim, start, start + (n - 1) * step + 1, step);
    });
  return z;
}

}  // namespace

Tensor as_strided_region(const Tensor& base, IntArrayRef sizes, IntArrayRef strides, int64_t offset) {
  Tensor out = view_alias(base, sizes, strides, base.storage_offset() + offset);
  if (record_needed(base))
    record("as_strided", {&base}, out,
           [shape = SizeVec(base.sizes()), sz = SizeVec(sizes), st = SizeVec(strides), offset](Grads g) {
             g.in[0] = as_strided_scatter(zeros(shape, g.out[0].options()), g.out[0], sz, st, offset);
           });
  return out;
}

Tensor as_strided_scatter(const Tensor& base, const Tensor& src, IntArrayRef sizes, IntArrayRef strides,
                          int64_t offset) {
  Tensor out = base.contiguous().clone();
  Tensor region = make_alias(out, sizes, strides, offset);
  backend_for(out.device()).copy(view_of(region), view_of(src.to(out.dtype())));
  if (record_needed(base, src))
    record("as_strided_scatter", {&base, &src}, out,
           [sz = SizeVec(sizes), st = SizeVec(strides), offset, shape = SizeVec(base.sizes())](Grads g) {
             const Tensor gc = g.out[0].contiguous();
             if (g.needed(0)) g.in[0] = as_strided_scatter(gc, zeros(sz, gc.options()), sz, st, offset);
             if (g.needed(1)) g.in[1] = as_strided_region(gc, sz, st, offset);
           });
  return out;
}

Tensor view(const Tensor& x, IntArrayRef requested) {
  WICK_PROFILE_OP("view", x);
  const SizeVec shape = infer_shape("view", requested, x.numel());
  auto strides = view_strides(x.sizes(), x.strides(), shape);
  WICK_CHECK(strides.has_value(), "view", "shape ", shape_str(shape), " is not compatible with the input's size ",
             shape_str(x.sizes()), " and stride ", shape_str(x.strides()),
             " (at least one dimension spans across two contiguous subspaces); use reshape() instead");
  return reshaped_alias("view", x, shape, *strides);
}

Tensor reshape(const Tensor& x, IntArrayRef requested) {
  WICK_PROFILE_OP("reshape", x);
  const SizeVec shape = infer_shape("reshape", requested, x.numel());
  if (auto strides = view_strides(x.sizes(), x.strides(), shape)) return reshaped_alias("reshape", x, shape, *strides);
  const uint64_t since = detail::tape_position();
  return detail::named(view(x.contiguous(), shape), "_unsafe_view", since);  // as LibTorch's copying reshape
}

Tensor flatten(const Tensor& x, int64_t start_dim, int64_t end_dim) {
  WICK_PROFILE_OP("flatten", x);
  if (x.dim() == 0) return x.reshape({1});
  const int64_t s = wrap_dim("flatten", start_dim, x.dim()), e = wrap_dim("flatten", end_dim, x.dim());
  WICK_CHECK(s <= e, "flatten", "start_dim ", start_dim, " cannot come after end_dim ", end_dim);
  SizeVec shape;
  int64_t merged = 1;
  for (int64_t d = 0; d < x.dim(); ++d) {
    if (d < s || d > e) shape.push_back(x.size(d));
    else {
      merged *= x.size(d);
      if (d == e) shape.push_back(merged);
    }
  }
  return x.reshape(shape);
}

Tensor unflatten(const Tensor& x, int64_t dim, IntArrayRef sizes) {
  WICK_PROFILE_OP("unflatten", x);
  const int64_t d = wrap_dim("unflatten", dim, x.dim());
  WICK_CHECK(!sizes.empty(), "unflatten", "sizes must be non-empty");
  SizeVec inner = infer_shape("unflatten", sizes, x.size(d));
  SizeVec shape;
  for (int64_t k = 0; k < x.dim(); ++k) {
    if (k == d) for (int64_t s : inner) shape.push_back(s);
    else shape.push_back(x.size(k));
  }
  return x.view(shape);
}

Tensor squeeze(const Tensor& x) {
  WICK_PROFILE_OP("squeeze", x);
  SizeVec shape, strides;
  for (int64_t d = 0; d < x.dim(); ++d)
    if (x.size(d) != 1) {
      shape.push_back(x.size(d));
      strides.push_back(x.stride(d));
    }
  return reshaped_alias("squeeze", x, shape, strides);
}

Tensor squeeze(const Tensor& x, int64_t dim) {
  WICK_PROFILE_OP("squeeze", x);
  const int64_t d = wrap_dim("squeeze", dim, x.dim());
  // squeeze(dim) is LibTorch's SqueezeBackward1.
  if (x.dim() == 0 || x.size(d) != 1) return reshaped_alias({"squeeze", 1}, x, x.sizes(), x.strides());
  SizeVec shape(x.sizes()), strides(x.strides());
  shape.erase(size_t(d));
  strides.erase(size_t(d));
  return reshaped_alias({"squeeze", 1}, x, shape, strides);
}

Tensor unsqueeze(const Tensor& x, int64_t dim) {
  WICK_PROFILE_OP("unsqueeze", x);
  const int64_t d = wrap_dim("unsqueeze", dim, x.dim() + 1);
  SizeVec shape(x.sizes()), strides(x.strides());
  const int64_t stride = d < x.dim() ? x.size(d) * x.stride(d) : 1;
  shape.insert(size_t(d), 1);
  strides.insert(size_t(d), stride);
  return reshaped_alias("unsqueeze", x, shape, strides);
}

Tensor permute(const Tensor& x, IntArrayRef dims) {
  WICK_PROFILE_OP("permute", x);
  const int64_t n = x.dim();
  WICK_CHECK(int64_t(dims.size()) == n, "permute", "number of dims in ", shape_str(dims),
             " doesn't match the tensor's ", n, " dims (shape ", shape_str(x.sizes()), ")");
  SizeVec shape(static_cast<size_t>(n)), strides(static_cast<size_t>(n)), inverse(static_cast<size_t>(n), -1);
  for (int64_t i = 0; i < n; ++i) {
    const int64_t d = wrap_dim("permute", dims[size_t(i)], n);
    WICK_CHECK(inverse[size_t(d)] < 0, "permute", "dim ", d, " appears more than once in ", shape_str(dims));
    inverse[size_t(d)] = i;
    shape[size_t(i)] = x.size(d);
    strides[size_t(i)] = x.stride(d);
  }
  Tensor out = view_alias(x, shape, strides, x.storage_offset());
  if (record_needed(x)) record("permute", {&x}, out, [inverse](Grads g) { g.in[0] = g.out[0].permute(inverse); });
  return out;
}

Tensor transpose(const Tensor& x, int64_t dim0, int64_t dim1) {
  WICK_PROFILE_OP("transpose", x);
  const int64_t n = x.dim();
  if (n == 0) return permute(x, {});
  const int64_t a = wrap_dim("transpose", dim0, n), b = wrap_dim("transpose", dim1, n);
  SizeVec order(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) order[size_t(i)] = i;
  std::swap(order[size_t(a)], order[size_t(b)]);
  const uint64_t since = detail::tape_position();
  return detail::named(permute(x, order), "transpose", since);
}

Tensor t(const Tensor& x) {
  WICK_PROFILE_OP("t", x);
  WICK_CHECK(x.dim() <= 2, "t", "expects a tensor with <= 2 dimensions, but got one of shape ", shape_str(x.sizes()));
  const uint64_t since = detail::tape_position();
  return x.dim() < 2 ? x : detail::named(transpose(x, 0, 1), "t", since);
}

Tensor expand(const Tensor& x, IntArrayRef sizes) {
  WICK_PROFILE_OP("expand", x);
  const int64_t n = int64_t(sizes.size()), xd = x.dim();
  WICK_CHECK(n >= xd, "expand", "the number of sizes provided (", n, ") must be greater or equal to the number of ",
             "dimensions in the tensor (", xd, ")");
  SizeVec shape(static_cast<size_t>(n)), strides(static_cast<size_t>(n));
  for (int64_t i = n - 1; i >= 0; --i) {
    const int64_t k = i - (n - xd);
    const int64_t want = sizes[size_t(i)];
    if (k < 0) {
      WICK_CHECK(want >= 0, "expand", "the expanded size ", want, " at new leading dim ", i, " must be non-negative");
      shape[size_t(i)] = want;
      strides[size_t(i)] = 0;
      continue;
    }
    const int64_t have = x.size(k);
    const int64_t target = want == -1 ? have : want;
    WICK_CHECK(target >= 0, "expand", "the expanded size ", want, " at dim ", i, " must be non-negative (or -1 to keep ",
               have, ")");
    WICK_CHECK(have == target || have == 1, "expand", "the expanded size of the tensor (", target,
               ") must match the existing size (", have, ") at non-singleton dimension ", i, "; target sizes ",
               shape_str(sizes), ", tensor sizes ", shape_str(x.sizes()));
    shape[size_t(i)] = target;
    strides[size_t(i)] = have == target ? x.stride(k) : 0;
  }
  Tensor out = view_alias(x, shape, strides, x.storage_offset());
  // The engine sums the gradient back over the expanded dims.
  if (record_needed(x)) record("expand", {&x}, out, [](Grads g) { g.in[0] = g.out[0]; });
  return out;
}

Tensor broadcast_to(const Tensor& x, IntArrayRef sizes) {
  WICK_PROFILE_OP("broadcast_to", x);
  return expand(x, sizes);
}

Tensor slice(const Tensor& x, int64_t dim, std::optional<int64_t> start_opt, std::optional<int64_t> end_opt, int64_t step) {
  WICK_PROFILE_OP("slice", x);
  WICK_CHECK(x.dim() > 0, "slice", "cannot slice a 0-dim tensor");
  const int64_t d = wrap_dim("slice", dim, x.dim());
  WICK_CHECK(step > 0, "slice", "step must be positive, got ", step);
  const int64_t size = x.size(d);
  int64_t start = start_opt.value_or(0), end = end_opt.value_or(size);
  if (end == indexing::kSliceToEnd) end = size;
  if (start < 0) start += size;
  if (end < 0) end += size;
  start = std::clamp<int64_t>(start, 0, size);
  end = std::clamp<int64_t>(end, start, size);
  const int64_t len = (end - start + step - 1) / step;
  SizeVec shape(x.sizes()), strides(x.strides());
  shape[size_t(d)] = len;
  strides[size_t(d)] = x.stride(d) * step;
  Tensor out = view_alias(x, shape, strides, x.storage_offset() + start * x.stride(d));
  if (record_needed(x))
    record("slice", {&x}, out, [in_shape = SizeVec(x.sizes()), d, start, step](Grads g) {
      g.in[0] = slice_backward(g.out[0], in_shape, d, start, step);
    });
  return out;
}

Tensor narrow(const Tensor& x, int64_t dim, int64_t start, int64_t length) {
  WICK_PROFILE_OP("narrow", x);
  WICK_CHECK(x.dim() > 0, "narrow", "cannot narrow a 0-dim tensor");
  const int64_t d = wrap_dim("narrow", dim, x.dim());
  const int64_t size = x.size(d);
  if (start < 0) start += size;
  WICK_CHECK(start >= 0 && length >= 0 && length <= size - start, "narrow", "start (", start, ") + length (", length,
             ") exceeds dimension size (", size, ") at dim ", d);
  return slice(x, d, start, start + length, 1);
}

Tensor select(const Tensor& x, int64_t dim, int64_t index) {
  WICK_PROFILE_OP("select", x);
  WICK_CHECK(x.dim() > 0, "select", "cannot select from a 0-dim tensor");
  const int64_t d = wrap_dim("select", dim, x.dim());
  const int64_t size = x.size(d);
  WICK_CHECK(index >= -size && index < size, "select", "index ", index, " is out of range for dim ", d,
             " with size ", size);
  if (index < 0) index += size;
  const uint64_t since = detail::tape_position();
  return detail::named(squeeze(slice(x, d, index, index + 1, 1), d), "select", since);
}

namespace {

// Where diagonal `offset` of dims (d1, d2) lies in a tensor of these sizes and strides: the view's sizes and
// strides (the two dims dropped, the diagonal appended) and its element offset from the tensor's start.
struct DiagonalLayout {
  SizeVec sizes, strides;
  int64_t offset = 0;
};

DiagonalLayout diagonal_layout(IntArrayRef sizes, IntArrayRef strides, int64_t offset, int64_t d1, int64_t d2) {
  const int64_t n1 = sizes[size_t(d1)], n2 = sizes[size_t(d2)];
  // Neither difference overflows: sizes are non-negative and the offset's sign picks the side it is taken from.
  const int64_t length = std::max<int64_t>(offset >= 0 ? std::min(n1, n2 - offset) : std::min(n1 + offset, n2), 0);
  DiagonalLayout l;
  if (length > 0) l.offset = offset >= 0 ? offset * strides[size_t(d2)] : -offset * strides[size_t(d1)];
  for (size_t d = 0; d < sizes.size(); ++d) {
    if (int64_t(d) == d1 || int64_t(d) == d2) continue;
    l.sizes.push_back(sizes[d]);
    l.strides.push_back(strides[d]);
  }
  l.sizes.push_back(length);
  l.strides.push_back(strides[size_t(d1)] + strides[size_t(d2)]);
  return l;
}

// The gradient of a diagonal: g written onto that diagonal of zeros of the input's shape. Recorded, so it
// differentiates again (its own gradient is the diagonal of the incoming one).
Tensor diagonal_backward(const Tensor& g, IntArrayRef in_shape, int64_t offset, int64_t d1, int64_t d2) {
  Tensor z = zeros(in_shape, g.options());
  const DiagonalLayout l = diagonal_layout(z.sizes(), z.strides(), offset, d1, d2);
  if (g.numel() > 0) backend_for(z.device()).copy(view_of(make_alias(z, l.sizes, l.strides, l.offset)), view_of(g));
  if (record_needed(g))
    record("diagonal_backward", {&g}, z, [offset, d1, d2](Grads gg) { gg.in[0] = gg.out[0].diagonal(offset, d1, d2); });
  return z;
}

}  // namespace

Tensor diagonal(const Tensor& x, int64_t offset, int64_t dim1, int64_t dim2) {
  WICK_PROFILE_OP("diagonal", x);
  WICK_CHECK(x.dim() >= 2, "diagonal", "expects a tensor with at least 2 dims, got shape ", shape_str(x.sizes()));
  const int64_t d1 = wrap_dim("diagonal", dim1, x.dim()), d2 = wrap_dim("diagonal", dim2, x.dim());
  WICK_CHECK(d1 != d2, "diagonal", "dim1 (", dim1, ") and dim2 (", dim2, ") name the same dim ", d1, " of shape ",
             shape_str(x.sizes()));
  const DiagonalLayout l = diagonal_layout(x.sizes(), x.strides(), offset, d1, d2);
  Tensor out = view_alias(x, l.sizes, l.strides, x.storage_offset() + l.offset);
  if (record_needed(x))
    record("diagonal", {&x}, out, [in_shape = SizeVec(x.sizes()), offset, d1, d2](Grads g) {
      g.in[0] = diagonal_backward(g.out[0], in_shape, offset, d1, d2);
    });
  return out;
}

namespace {

// Views of x along dim d, sizes[i] long each (without the dim when drop_dim), recorded as one tape entry whose
// backward concatenates the parts' gradients (zeros for parts without one). Slicing each part on its own would
// give every part a gradient the size of the whole tensor: a loop over the T time steps of an RNN's input
// projection would then cost O(T^2) in its backward pass.
std::vector<Tensor> split_views(detail::OpName op, const Tensor& x, int64_t d, IntArrayRef sizes, bool drop_dim) {
  const bool recording = record_needed(x);
  std::vector<Tensor> parts;
  std::vector<SizeVec> shapes;  // for the backward's zeros; only when recording
  int64_t start = 0;
  for (int64_t s : sizes) {
    SizeVec shape, strides;
    for (int64_t i = 0; i < x.dim(); ++i) {
      if (i == d && drop_dim) continue;
      shape.push_back(i == d ? s : x.size(i));
      strides.push_back(x.stride(i));
    }
    parts.push_back(view_alias(x, shape, strides, x.storage_offset() + start * x.stride(d)));
    if (recording) shapes.push_back(shape);
    start += s;
  }
  if (recording && !parts.empty()) {
    std::vector<Tensor*> outputs;
    for (Tensor& p : parts) outputs.push_back(&p);
    detail::record_list(op, {&x}, outputs, [d, drop_dim, shapes, options = x.options()](Grads g) {
      std::vector<Tensor> grads;
      for (size_t i = 0; i < shapes.size(); ++i) {
        const Tensor gi = g.out[i].defined() ? g.out[i] : zeros(shapes[i], options);
        grads.push_back(drop_dim ? gi.unsqueeze(d) : gi);
      }
      g.in[0] = cat(grads, d);
    });
  }
  return parts;
}

}  // namespace

std::vector<Tensor> split(const Tensor& x, int64_t split_size, int64_t dim) {
  WICK_PROFILE_OP("split", x);
  WICK_CHECK(x.dim() > 0, "split", "cannot split a 0-dim tensor");
  const int64_t d = wrap_dim("split", dim, x.dim());
  WICK_CHECK(split_size > 0 || x.size(d) == 0, "split", "split_size must be positive, got ", split_size);
  const int64_t size = x.size(d);
  if (size == 0) return {x};
  SizeVec sizes;
  for (int64_t s = 0; s < size; s += split_size) sizes.push_back(std::min(split_size, size - s));
  return split_views("split", x, d, sizes, false);
}

std::vector<Tensor> split(const Tensor& x, IntArrayRef split_sizes, int64_t dim) {
  WICK_PROFILE_OP("split", x);
  WICK_CHECK(x.dim() > 0, "split", "cannot split a 0-dim tensor");
  const int64_t d = wrap_dim("split", dim, x.dim());
  int64_t total = 0;
  for (int64_t s : split_sizes) {
    WICK_CHECK(s >= 0, "split", "split sizes must be non-negative, got ", shape_str(split_sizes));
    WICK_CHECK(!__builtin_add_overflow(total, s, &total), "split", "split sizes ", shape_str(split_sizes),
               " add up past int64");
  }
  WICK_CHECK(total == x.size(d), "split", "split sizes ", shape_str(split_sizes), " add up to ", total,
             " but dim ", d, " has size ", x.size(d));
  return split_views("split_with_sizes", x, d, split_sizes, false);
}

std::vector<Tensor> chunk(const Tensor& x, int64_t chunks, int64_t dim) {
  WICK_PROFILE_OP("chunk", x);
  WICK_CHECK(chunks > 0, "chunk", "number of chunks must be positive, got ", chunks);
  const int64_t d = wrap_dim("chunk", dim, x.dim());
  const int64_t size = x.size(d);
  // As PyTorch: an empty dim still gives `chunks` (empty) chunks, where split would give one.
  if (size == 0) return split(x, IntArrayRef(std::vector<int64_t>(size_t(chunks), 0)), d);
  return split(x, std::max<int64_t>((size + chunks - 1) / chunks, 1), d);
}

std::vector<Tensor> unbind(const Tensor& x, int64_t dim) {
  WICK_PROFILE_OP("unbind", x);
  WICK_CHECK(x.dim() > 0, "unbind", "cannot unbind a 0-dim tensor");
  const int64_t d = wrap_dim("unbind", dim, x.dim());
  return split_views("unbind", x, d, SizeVec(size_t(x.size(d)), 1), true);
}

}  // namespace wick
