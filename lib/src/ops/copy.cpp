// Copies and conversions: contiguous, clone, copy_, to(dtype/device). Gradients flow through all of them
// (cast back to the source dtype, moved back to the source device).
#include "ops/elementwise.h"
#include "ops/inplace.h"
#include "wick/detail/op_scope.h"
#include "wick/detail/record.h"
#include "wick/ops.h"

namespace wick {

using detail::Grads;
using detail::record;
using detail::record_needed;

namespace {

// A contiguous copy of `src` with `dtype` on `device`.
Tensor convert(const Tensor& src, Device device, ScalarType dtype) {
  Tensor out = make_empty(src.sizes(), dtype, device);
  if (src.numel() == 0) return out;
  if (src.device() == device) {
    backend_for(device).copy(view_of(out), view_of(src));
    return out;
  }
  // Across devices: make it contiguous with the target dtype where it is, then move the bytes.
  Tensor staged = src.is_contiguous() && src.dtype() == dtype ? src : convert(src, src.device(), dtype);
  if (src.device().is_cpu()) {
    backend_for(device).copy_from_host(out.data_ptr(), staged.data_ptr(), staged.nbytes(), device.index);
  } else if (device.is_cpu()) {
    backend_for(src.device()).copy_to_host(out.data_ptr(), staged.data_ptr(), staged.nbytes(), src.device().index);
  } else {
    Tensor host = convert(staged, kCPU, dtype);
    backend_for(device).copy_from_host(out.data_ptr(), host.data_ptr(), host.nbytes(), device.index);
  }
  return out;
}

// `op` is "to" (LibTorch's ToCopyBackward0) or "clone" (CloneBackward0, also contiguous()'s).
Tensor convert_recorded(const char* op, const Tensor& x, Device device, ScalarType dtype) {
  Tensor out = convert(x, device, dtype);
  if (record_needed(x) && is_floating_point(dtype))
    record(op, {&x}, out, [](Grads g) { g.in[0] = g.out[0]; });  // the engine casts/moves it back
  return out;
}

}  // namespace

namespace {
// wick has no channels-last layouts; a program asking for one gets told rather than a silently different layout.
void check_memory_format(const char* op, std::optional<MemoryFormat> format) {
  WICK_CHECK(!format || *format == MemoryFormat::Contiguous || *format == MemoryFormat::Preserve, op, "memory format ",
             *format == MemoryFormat::ChannelsLast ? "ChannelsLast" : "ChannelsLast3d",
             " is not supported (wick tensors are strided row-major; use Contiguous or Preserve)");
}
}  // namespace

Tensor Tensor::contiguous(MemoryFormat memory_format) const {
  WICK_PROFILE_OP("contiguous", *this);
  check_memory_format("contiguous", memory_format);
  if (is_contiguous()) return *this;
  return convert_recorded("clone", *this, device(), dtype());
}

Tensor Tensor::clone() const {
  WICK_PROFILE_OP("clone", *this);
  return convert_recorded("clone", *this, device(), dtype());
}

Tensor Tensor::to(ScalarType t, bool non_blocking, bool copy, std::optional<MemoryFormat> memory_format) const {
  WICK_PROFILE_OP("to", *this);
  return to(device(), t, non_blocking, copy, memory_format);
}
Tensor Tensor::to(const TensorOptions& o, bool non_blocking, bool copy,
                  std::optional<MemoryFormat> memory_format) const {
  WICK_PROFILE_OP("to", *this);
  return to(o.device(), o.has_dtype() ? o.dtype() : dtype(), non_blocking, copy, memory_format);
}
Tensor Tensor::to(Device d, ScalarType t, bool /*non_blocking*/, bool copy,
                  std::optional<MemoryFormat> memory_format) const {
  WICK_PROFILE_OP("to", *this);
  check_memory_format("to", memory_format);
  if (!copy && d == device() && t == dtype()) return *this;
  const Backend* target = detail::find_backend(d.type);
  WICK_CHECK(target != nullptr, "to", "device ", d.str(), " is not available (",
             d.is_cuda() ? "no CUDA device, or CUDA not built" : "no backend", ")");
  WICK_CHECK(d.index >= 0 && d.index < target->device_count(), "to", "device ", d.str(), " does not exist (",
             target->device_count(), " device(s) of that type)");
  return convert_recorded("to", *this, d, t);
}

Tensor& Tensor::copy_(const Tensor& src) const {
  WICK_PROFILE_OP("copy_", *this, src);
  const bool recording = detail::grad_mode_enabled() && (requires_grad() || src.requires_grad() ||
                                                         (impl()->view_base && impl()->view_base->requires_grad));
  if (recording) {
    // The new value is src (moved, cast, broadcast); the old value gets no gradient.
    detail::prepare_inplace("copy_", *this);
    if (impl()->view_base)
      WICK_CHECK(!(impl()->view_base->grad_fn == nullptr && impl()->view_base->requires_grad), "copy_",
                 "a view of a leaf tensor that requires grad is being used in an in-place operation");
    const uint64_t since = detail::tape_position();
    Tensor value = src.to(device(), dtype());
    if (!IntArrayRef(value.sizes()).equals(sizes())) value = value.expand(sizes());
    value = detail::named(value.clone(), "copy_", since);  // LibTorch's CopyBackwards
    // As PyTorch, self stays in the graph (its old value gets a zero gradient) when src does not require grad:
    // taking src's history alone would cut self off it.
    if (requires_grad() && !value.requires_grad() && !impl()->view_base) record("copy_", {this}, value, [](Grads) {});
    assign_into("copy_", *this, value.detach());
    rebase_history("copy_", *this, value);
    return const_cast<Tensor&>(*this);
  }
  if (src.device() != device()) {
    Tensor moved = convert(src, device(), dtype());
    assign_into("copy_", *this, moved);
  } else {
    assign_into("copy_", *this, src);
  }
  return const_cast<Tensor&>(*this);
}

}  // namespace wick
