// Indexing: index_select/index_add, gather/scatter, masked_select/nonzero, and Tensor::index with
// integers, slices, None, Ellipsis and index tensors (LibTorch's t.index({Slice(0, 2), 1})).
#include <algorithm>
#include <vector>

#include "compile/capture.h"
#include "ops/elementwise.h"
#include "ops/inplace.h"
#include "wick/detail/op_scope.h"
#include "wick/detail/record.h"
#include "wick/grad_mode.h"
#include "wick/ops.h"

namespace wick {

using detail::Grads;
using detail::record;
using detail::record_needed;
using detail::save;

namespace {

void check_index_tensor(const char* op, const Tensor& index) {
  WICK_CHECK(index.dtype() == kInt64 || index.dtype() == kInt32, op, "index must be an int64 or int32 tensor, got ",
             dtype_name(index.dtype()));
}

// An index as a contiguous 1-D int64 tensor on x's device.
Tensor as_index_vector(const char* op, const Tensor& x, const Tensor& index) {
  check_index_tensor(op, index);
  check_same_device(op, x, index);
  WICK_CHECK(index.dim() <= 1, op, "index must be 0-D or 1-D, got shape ", shape_str(index.sizes()));
  return index.reshape({-1}).to(kInt64).contiguous();
}

// A 0-dim tensor counts as one dim of size 1 here, as in PyTorch's gather/scatter shape checks.
int64_t dims_at_least_one(const Tensor& t) { return std::max<int64_t>(t.dim(), 1); }
int64_t size_at_least_one(const Tensor& t, int64_t i) { return t.dim() == 0 ? 1 : t.size(i); }

void check_gather_shapes(const char* op, const Tensor& x, int64_t d, const Tensor& index, const Tensor* src) {
  WICK_CHECK(dims_at_least_one(index) == dims_at_least_one(x), op, "index (shape ", shape_str(index.sizes()),
             ") must have the same number of dims as the input (shape ", shape_str(x.sizes()), ")");
  WICK_CHECK(!src || dims_at_least_one(index) == dims_at_least_one(*src), op, "index (shape ", shape_str(index.sizes()),
             ") must have the same number of dims as src (shape ", shape_str(src->sizes()), ")");
  for (int64_t i = 0; i < dims_at_least_one(index); ++i) {
    const int64_t n = size_at_least_one(index, i);
    WICK_CHECK(i == d || n <= size_at_least_one(x, i), op, "index size ", n, " at dim ", i,
               " exceeds the input's size ", size_at_least_one(x, i), " (index shape ", shape_str(index.sizes()),
               ", input shape ", shape_str(x.sizes()), ")");
    if (src)
      WICK_CHECK(n <= size_at_least_one(*src, i), op, "index size ", n, " at dim ", i, " exceeds the source's size ",
                 size_at_least_one(*src, i), " (src shape ", shape_str(src->sizes()), ")");
  }
}

}  // namespace

Tensor index_select(const Tensor& x, int64_t dim, const Tensor& index) {
  WICK_PROFILE_OP("index_select", x, index);
  const Tensor idx = as_index_vector("index_select", x, index);
  // As PyTorch: the result has the input's dims, so a 0-dim input takes one index and gives a 0-dim result.
  WICK_CHECK(x.dim() > 0 || idx.size(0) == 1, "index_select", "a 0-dim input takes exactly one index, got ",
             idx.size(0));
  const Tensor in = x.dim() == 0 ? x.reshape({1}) : x;
  const int64_t d = wrap_dim("index_select", dim, in.dim());
  SizeVec shape(in.sizes());
  shape[size_t(d)] = idx.size(0);
  Tensor out = make_empty(shape, x.dtype(), x.device());
  if (out.numel() > 0) {
    WICK_CHECK(in.size(d) > 0, "index_select", "cannot select from dim ", d, " of size 0");
    backend_for(x.device()).index_select(view_of(out), view_of(in), int(d), view_of(idx));
  }
  if (x.dim() == 0) out = out.reshape({});
  if (record_needed(x))
    record("index_select", {&x}, out, [idx, d, in_shape = SizeVec(in.sizes()), x_shape = SizeVec(x.sizes())](Grads g) {
      SizeVec selected(in_shape);
      selected[size_t(d)] = idx.size(0);
      const Tensor z = zeros(in_shape, g.out[0].options());
      g.in[0] = z.index_add(d, idx, g.out[0].reshape(selected)).reshape(x_shape);
    });
  return out;
}

Tensor index_add(const Tensor& x, int64_t dim, const Tensor& index, const Tensor& source) {
  WICK_PROFILE_OP("index_add", x, index, source);
  const Tensor idx = as_index_vector("index_add", x, index);
  check_same_device("index_add", x, source);
  WICK_CHECK(x.dtype() == source.dtype(), "index_add", "self (", dtype_name(x.dtype()), ") and source (",
             dtype_name(source.dtype()), ") must have the same dtype");
  const int64_t d = wrap_dim("index_add", dim, x.dim());
  SizeVec expected(x.sizes());
  if (x.dim() > 0) expected[size_t(d)] = idx.size(0);
  WICK_CHECK(IntArrayRef(source.sizes()).equals(expected) || (x.dim() == 0 && source.numel() == idx.size(0)),
             "index_add", "source of shape ", shape_str(source.sizes()), " does not match the expected shape ",
             shape_str(expected));
  Tensor out = x.clone().detach();
  if (idx.size(0) > 0 && out.numel() > 0) {
    const Tensor o = out.dim() == 0 ? out.reshape({1}) : out;
    const Tensor s = source.dim() == 0 ? source.reshape({1}) : source.contiguous();
    backend_for(x.device()).index_add(view_of(o), int(d), view_of(idx), view_of(s));
  }
  if (record_needed(x, source))
    record("index_add", {&x, &source}, out, [idx, d](Grads g) {
      g.in[0] = g.out[0];
      if (g.needed(1)) g.in[1] = g.out[0].dim() == 0 ? g.out[0] : g.out[0].index_select(d, idx);
    });
  return out;
}

Tensor gather(const Tensor& x, int64_t dim, const Tensor& index) {
  WICK_PROFILE_OP("gather", x, index);
  check_index_tensor("gather", index);
  check_same_device("gather", x, index);
  const int64_t d = wrap_dim("gather", dim, x.dim());
  check_gather_shapes("gather", x, d, index, nullptr);
  const Tensor idx = index.to(kInt64);
  Tensor out = make_empty(index.sizes(), x.dtype(), x.device());
  if (out.numel() > 0) {
    const Tensor in = x.dim() == 0 ? x.reshape({1}) : x;
    const Tensor ix = idx.dim() == 0 ? idx.reshape({1}) : idx;
    const Tensor o = out.dim() == 0 ? out.reshape({1}) : out;
    backend_for(x.device()).gather(view_of(o), view_of(in), int(d), view_of(ix));
  }
  if (record_needed(x))
    record("gather", {&x}, out, [idx, d, shape = SizeVec(x.sizes())](Grads g) {
      g.in[0] = zeros(shape, g.out[0].options()).scatter_add(d, idx, g.out[0]);
    });
  return out;
}

namespace {
Tensor scatter_impl(const char* op, const Tensor& x, int64_t dim, const Tensor& index, const Tensor& src, bool add) {
  check_index_tensor(op, index);
  check_same_device(op, x, index);
  check_same_device(op, x, src);
  WICK_CHECK(x.dtype() == src.dtype(), op, "self (", dtype_name(x.dtype()), ") and src (", dtype_name(src.dtype()),
             ") must have the same dtype");
  const int64_t d = wrap_dim(op, dim, x.dim());
  check_gather_shapes(op, x, d, index, &src);
  Tensor out = x.clone().detach();
  if (index.numel() > 0) {
    const Tensor o = out.dim() == 0 ? out.reshape({1}) : out;
    const Tensor ix = index.dim() == 0 ? index.reshape({1}) : index;
    const Tensor s = src.dim() == 0 ? src.reshape({1}) : src;
    backend_for(x.device()).scatter(view_of(o), int(d), view_of(ix), view_of(s), add);
  }
  if (record_needed(x, src))
    record(op, {&x, &src}, out, [idx = index.to(kInt64), d, add, src_shape = SizeVec(src.sizes())](Grads g) {
      if (g.needed(0)) g.in[0] = add ? g.out[0] : g.out[0].scatter(d, idx, 0);
      if (g.needed(1)) {
        // src may be larger than index: elements the index never reads get zero gradient.
        Tensor gs = g.out[0].gather(d, idx);
        std::vector<int64_t> padding;
        for (int64_t k = gs.dim() - 1; k >= 0; --k) {
          padding.push_back(0);
          padding.push_back(src_shape[size_t(k)] - gs.size(k));
        }
        if (!IntArrayRef(gs.sizes()).equals(src_shape)) gs = pad(gs, padding);
        g.in[1] = gs;
      }
    });
  return out;
}
}  // namespace

Tensor scatter(const Tensor& x, int64_t dim, const Tensor& index, const Tensor& src) {
  WICK_PROFILE_OP("scatter", x, index, src);
  return scatter_impl("scatter", x, dim, index, src, false);
}

Tensor scatter(const Tensor& x, int64_t dim, const Tensor& index, Scalar value) {
  WICK_PROFILE_OP("scatter", x, index);
  const Tensor src = full(index.sizes(), value, x.options());
  Tensor out = scatter_impl("scatter", x.detach(), dim, index, src, false);
  if (record_needed(x))
    record({"scatter", 1}, {&x}, out,
           [idx = index.to(kInt64), dim](Grads g) { g.in[0] = g.out[0].scatter(dim, idx, 0); });
  return out;
}

Tensor scatter_add(const Tensor& x, int64_t dim, const Tensor& index, const Tensor& src) {
  WICK_PROFILE_OP("scatter_add", x, index, src);
  return scatter_impl("scatter_add", x, dim, index, src, true);
}

Tensor nonzero(const Tensor& x) {
  WICK_PROFILE_OP("nonzero", x);
  const Tensor host = x.cpu().to(kBool).contiguous();
  const bool* p = host.data_ptr<bool>();
  const int64_t n = host.numel(), nd = x.dim();
  std::vector<int64_t> coords;
  SizeVec strides = contiguous_strides(x.sizes());
  for (int64_t i = 0; i < n; ++i) {
    if (!p[i]) continue;
    int64_t rest = i;
    for (int64_t d = 0; d < nd; ++d) {
      coords.push_back(rest / strides[size_t(d)]);
      rest %= strides[size_t(d)];
    }
  }
  const int64_t count = nd == 0 ? int64_t(coords.size()) : int64_t(coords.size()) / nd;
  Tensor out = empty({nd == 0 ? (p[0] ? 1 : 0) : count, nd}, TensorOptions().dtype(kInt64));
  if (!coords.empty()) std::copy(coords.begin(), coords.end(), static_cast<int64_t*>(out.data_ptr()));
  return out.to(x.device());
}

Tensor masked_select(const Tensor& x, const Tensor& mask) {
  WICK_PROFILE_OP("masked_select", x, mask);
  WICK_CHECK(mask.dtype() == kBool, "masked_select", "mask must be a bool tensor, got ", dtype_name(mask.dtype()));
  const SizeVec shape = broadcast_shape("masked_select", x.sizes(), mask.sizes());
  const Tensor flat_mask = mask.expand(shape).reshape({-1});
  const Tensor positions = nonzero(flat_mask).reshape({-1});
  const uint64_t since = detail::tape_position();
  return detail::named(x.expand(shape).reshape({-1}).index_select(0, positions), "masked_select", since);
}

// ---- Tensor::index --------------------------------------------------------------------------------------
namespace {

struct Indexed {
  Tensor view;                       // after integers, slices, None and Ellipsis
  std::vector<int64_t> tensor_dims;  // dims of `view` indexed by tensors
  std::vector<Tensor> tensors;       // int64 index tensors, one per entry of tensor_dims
};

Indexed apply_basic(const char* op, const Tensor& x, const std::vector<TensorIndex>& indices) {
  int64_t consumed = 0, ellipses = 0;
  for (const TensorIndex& i : indices) {
    switch (i.kind()) {
      case TensorIndex::Kind::Integer:
      case TensorIndex::Kind::Slice: ++consumed; break;
      case TensorIndex::Kind::Tensor: consumed += i.tensor().dtype() == kBool ? i.tensor().dim() : 1; break;
      case TensorIndex::Kind::Ellipsis: ++ellipses; break;
      default: break;
    }
  }
  WICK_CHECK(ellipses <= 1, op, "an index can only have a single ellipsis ('...')");
  WICK_CHECK(consumed <= x.dim(), op, "too many indices for tensor of dimension ", x.dim(), " (got ", consumed,
             " for shape ", shape_str(x.sizes()), ")");
  Indexed r;
  r.view = x;
  int64_t dim = 0;
  for (const TensorIndex& i : indices) {
    switch (i.kind()) {
      case TensorIndex::Kind::Integer: {
        const int64_t size = r.view.size(dim);
        WICK_CHECK(i.integer() >= -size && i.integer() < size, op, "index ", i.integer(),
                   " is out of bounds for dimension ", dim, " with size ", size);
        r.view = r.view.select(dim, i.integer());
        break;
      }
      case TensorIndex::Kind::Slice: {
        const auto& s = i.slice();
        WICK_CHECK(s.step > 0, op, "slice step must be positive, got ", s.step);
        r.view =
            r.view.slice(dim, s.start, s.stop == indexing::kSliceToEnd ? std::optional<int64_t>() : s.stop, s.step);
        ++dim;
        break;
      }
      case TensorIndex::Kind::None: r.view = r.view.unsqueeze(dim++); break;
      case TensorIndex::Kind::Ellipsis: dim += x.dim() - consumed; break;
      case TensorIndex::Kind::Boolean:
        r.view = r.view.unsqueeze(dim);
        if (!i.integer()) r.view = r.view.slice(dim, 0, 0);
        ++dim;
        break;
      case TensorIndex::Kind::Tensor: {
        const Tensor& t = i.tensor();
        check_same_device(op, x, t);
        if (t.dtype() == kBool || t.dtype() == kUInt8) {
          // A mask over the next t.dim() dims becomes one index tensor per dim.
          const Tensor m = t.to(kBool);
          for (int64_t k = 0; k < m.dim(); ++k)
            WICK_CHECK(m.size(k) == r.view.size(dim + k), op, "the shape of the mask ", shape_str(m.sizes()),
                       " at index ", k, " does not match the shape of the indexed tensor ", shape_str(r.view.sizes()));
          const Tensor coords = nonzero(m);
          for (int64_t k = 0; k < m.dim(); ++k) {
            r.tensor_dims.push_back(dim + k);
            r.tensors.push_back(coords.select(1, k));
          }
          dim += m.dim();
        } else {
          check_index_tensor(op, t);
          r.tensor_dims.push_back(dim++);
          r.tensors.push_back(t.to(kInt64));
        }
        break;
      }
    }
  }
  return r;
}

// Advanced indexing (PyTorch semantics for index tensors): the indexed dims are replaced by the broadcast
// index shape, placed where the first of them was if they are adjacent, else in front.
Tensor apply_advanced(const char* op, const Indexed& r) {
  const Tensor& v = r.view;
  SizeVec bshape;
  for (const Tensor& t : r.tensors) bshape = broadcast_shape(op, bshape, t.sizes());
  std::vector<int64_t> order(r.tensor_dims), rest;
  for (int64_t d = 0; d < v.dim(); ++d)
    if (std::find(order.begin(), order.end(), d) == order.end()) rest.push_back(d);
  std::vector<int64_t> perm(order);
  perm.insert(perm.end(), rest.begin(), rest.end());
  const Tensor moved = v.permute(perm);
  int64_t flat = 1;
  SizeVec flat_shape{0};
  for (int64_t d : order) flat *= v.size(d);
  flat_shape[0] = flat;
  for (int64_t d : rest) flat_shape.push_back(v.size(d));
  const Tensor flattened = moved.reshape(flat_shape);
  // Linear index into the flattened indexed dims, with negative indices wrapped and bounds checked.
  Tensor linear = zeros(bshape, TensorOptions().dtype(kInt64).device(v.device()));
  for (size_t k = 0; k < order.size(); ++k) {
    const int64_t size = v.size(order[k]);
    const Tensor& t = r.tensors[k];
    Tensor wrapped = where(t < 0, t + size, t);
    if (wrapped.numel() > 0) {
      const bool ok = logical_and(wrapped >= 0, wrapped < size).all().item<bool>();
      if (!ok) {
        const Tensor bad = masked_select(t, logical_or(wrapped < 0, wrapped >= size));
        fail(op, "index ", bad.reshape({-1})[0].item<int64_t>(), " is out of bounds for dimension ", order[k],
             " with size ", size);
      }
    }
    linear = linear * size + wrapped;
  }
  Tensor picked = flattened.index_select(0, linear.reshape({-1}));
  SizeVec out_shape(bshape);
  for (int64_t d : rest) out_shape.push_back(v.size(d));
  picked = picked.reshape(out_shape);
  bool adjacent = true;
  for (size_t k = 1; k < order.size(); ++k) adjacent = adjacent && order[k] == order[k - 1] + 1;
  if (adjacent && order[0] > 0) {
    // Move the index dims back to where the first indexed dim was.
    const int64_t nb = int64_t(bshape.size()), first = order[0];
    std::vector<int64_t> back;
    for (int64_t i = 0; i < first; ++i) back.push_back(nb + i);
    for (int64_t i = 0; i < nb; ++i) back.push_back(i);
    for (int64_t i = nb + first; i < picked.dim(); ++i) back.push_back(i);
    picked = picked.permute(back);
  }
  return picked;
}

}  // namespace

Tensor Tensor::index(const std::vector<TensorIndex>& indices) const {
  WICK_PROFILE_OP("index", *this);
  Indexed r = apply_basic("index", *this, indices);
  if (r.tensors.empty()) return r.view;
  const uint64_t since = detail::tape_position();
  return detail::named(apply_advanced("index", r), "index", since);
}

Tensor Tensor::index(std::initializer_list<TensorIndex> indices) const {
  WICK_PROFILE_OP("index", *this);
  return index(std::vector<TensorIndex>(indices));
}

Tensor& Tensor::index_put_(std::initializer_list<TensorIndex> indices, const Tensor& value) const {
  WICK_PROFILE_OP("index_put_", *this, value);
  const std::vector<TensorIndex> list(indices);
  Indexed r = apply_basic("index_put_", *this, list);
  WICK_CHECK(value.defined(), "index_put_", "the value is an undefined tensor");
  if (r.tensors.empty()) {
    WICK_CHECK(broadcast_shape("index_put_", r.view.sizes(), value.sizes()) == r.view.sizes(), "index_put_",
               "a value of shape ", shape_str(value.sizes()), " cannot be written into a selection of shape ",
               shape_str(r.view.sizes()));
    r.view.copy_(value);
    bump_version(*this);
    return const_cast<Tensor&>(*this);
  }
  // Which elements of self are written: index an arange of positions the same way.
  const Tensor positions = arange(numel(), TensorOptions().dtype(kInt64).device(device())).view(sizes());
  const Tensor selected = apply_advanced("index_put_", apply_basic("index_put_", positions, list));
  WICK_CHECK(broadcast_shape("index_put_", selected.sizes(), value.sizes()) == selected.sizes(), "index_put_",
             "a value of shape ", shape_str(value.sizes()), " cannot be written into a selection of shape ",
             shape_str(selected.sizes()));
  const Tensor targets = selected.reshape({-1});
  const Tensor values = value.to(dtype()).expand(selected.sizes()).contiguous().reshape({-1});
  if (records(*this, &value)) {
    // Under autograd, a scatter into the flattened tensor: the written elements' gradient goes to the values, the
    // others' to self's old value (LibTorch's IndexPutBackward0).
    inplace(*this, "index_put_", &value,
            [&](const Tensor& s) { return s.reshape({-1}).scatter(0, targets, values).view(sizes()); });
    return const_cast<Tensor&>(*this);
  }
  WICK_CHECK(is_contiguous(), "index_put_", "index tensors need a contiguous destination (shape ", shape_str(sizes()),
             ", strides ", shape_str(strides()), ")");
  Tensor flat = make_alias(*this, {numel()}, {1}, storage_offset());
  if (targets.numel() > 0) backend_for(device()).scatter(view_of(flat), 0, view_of(targets), view_of(values), false);
  bump_version(*this);
  return const_cast<Tensor&>(*this);
}

Tensor& Tensor::index_put_(std::initializer_list<TensorIndex> indices, Scalar value) const {
  WICK_PROFILE_OP("index_put_", *this);
  return index_put_(indices, full({}, value, options()));
}

}  // namespace wick
