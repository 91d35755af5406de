// The recording proxies and how a capture names memory. A proxy runs each primitive on the real backend first,
// then writes a Step whose Launch makes the same call again on whatever memory a replay resolves the views to.
#include "capture.h"

#include <pthread.h>

#include <cstring>
#include <type_traits>

#include "fused_kernels.h"
#include "tensor_factory.h"
#include "wick/error.h"

namespace wick::detail::compile {
namespace {

thread_local Capture* t_capture = nullptr;

// ---- the non-view arguments, encoded for Recording::same_as -------------------------------------------------
template <class T>
void put(std::vector<std::byte>& out, const T& v) {
  static_assert(std::is_trivially_copyable_v<T> && !std::is_class_v<T>);
  const auto* p = reinterpret_cast<const std::byte*>(&v);
  out.insert(out.end(), p, p + sizeof(T));
}
void put(std::vector<std::byte>& out, const ConvParams& p) {
  for (int i = 0; i < 2; ++i) put(out, p.stride[i]), put(out, p.padding[i]), put(out, p.dilation[i]);
  put(out, p.groups), put(out, p.depth_stride), put(out, p.depth_padding), put(out, p.depth_dilation);
}
void put(std::vector<std::byte>& out, const PoolParams& p) {
  for (int i = 0; i < 2; ++i)
    put(out, p.kernel[i]), put(out, p.stride[i]), put(out, p.padding[i]), put(out, p.dilation[i]);
  put(out, p.ceil_mode), put(out, p.count_include_pad);
}
template <class... Args>
std::vector<std::byte> encode(const Args&... args) {
  std::vector<std::byte> out;
  (put(out, args), ...);
  return out;
}

const View* optional(const View& v) { return v.data ? &v : nullptr; }
const View kAbsent{};
const View& slot(const View* v) { return v ? *v : kAbsent; }

// ---- the fused extension's proxy --------------------------------------------------------------------------
class RecordingFused final : public FusedKernels {
 public:
  RecordingFused(FusedKernels& real, Capture& capture, DeviceType device)
      : real_(real), capture_(capture), device_(device) {}
  bool supports(FusedOp op, ScalarType t) const override { return real_.supports(op, t); }

  void softmax(const View& out, const View& in, int dim, bool log) override {
    real_.softmax(out, in, dim, log);
    capture_.add_step(device_, log ? "log_softmax" : "softmax", StepClass::Other, {&out, &in}, encode(dim, log),
                      [dim, log](Backend& b, const View* v) { b.fused_kernels()->softmax(v[0], v[1], dim, log); });
  }
  void softmax_backward(const View& gi, const View& go, const View& out, int dim, bool log) override {
    real_.softmax_backward(gi, go, out, dim, log);
    capture_.add_step(
        device_, "softmax_backward", StepClass::Other, {&gi, &go, &out}, encode(dim, log),
        [dim, log](Backend& b, const View* v) { b.fused_kernels()->softmax_backward(v[0], v[1], v[2], dim, log); });
  }
  void conv2d(const View& out, const View& in, const View& w, const View* bias, const ConvParams& p) override {
    real_.conv2d(out, in, w, bias, p);
    capture_.add_step(
        device_, "conv2d", StepClass::Other, {&out, &in, &w, &slot(bias)}, encode(p),
        [p](Backend& b, const View* v) { b.fused_kernels()->conv2d(v[0], v[1], v[2], optional(v[3]), p); });
  }
  void conv2d_backward_input(const View& gi, const View& go, const View& w, const ConvParams& p) override {
    real_.conv2d_backward_input(gi, go, w, p);
    capture_.add_step(
        device_, "conv2d_backward_input", StepClass::Other, {&gi, &go, &w}, encode(p),
        [p](Backend& b, const View* v) { b.fused_kernels()->conv2d_backward_input(v[0], v[1], v[2], p); });
  }
  void conv2d_backward_weight(const View& gw, const View* gb, const View& go, const View& in,
                              const ConvParams& p) override {
    real_.conv2d_backward_weight(gw, gb, go, in, p);
    capture_.add_step(device_, "conv2d_backward_weight", StepClass::Other, {&gw, &slot(gb), &go, &in}, encode(p),
                      [p](Backend& b, const View* v) {
                        b.fused_kernels()->conv2d_backward_weight(v[0], optional(v[1]), v[2], v[3], p);
                      });
  }
  bool conv3d(const View& out, const View& in, const View& w, const View* bias, const ConvParams& p) override {
    if (!real_.conv3d(out, in, w, bias, p)) return false;
    capture_.add_step(
        device_, "conv3d", StepClass::Other, {&out, &in, &w, &slot(bias)}, encode(p),
        [p](Backend& b, const View* v) { b.fused_kernels()->conv3d(v[0], v[1], v[2], optional(v[3]), p); });
    return true;
  }
  bool conv3d_backward_input(const View& gi, const View& go, const View& w, const ConvParams& p) override {
    if (!real_.conv3d_backward_input(gi, go, w, p)) return false;
    capture_.add_step(
        device_, "conv3d_backward_input", StepClass::Other, {&gi, &go, &w}, encode(p),
        [p](Backend& b, const View* v) { b.fused_kernels()->conv3d_backward_input(v[0], v[1], v[2], p); });
    return true;
  }
  bool conv3d_backward_weight(const View& gw, const View* gb, const View& go, const View& in,
                              const ConvParams& p) override {
    if (!real_.conv3d_backward_weight(gw, gb, go, in, p)) return false;
    capture_.add_step(device_, "conv3d_backward_weight", StepClass::Other, {&gw, &slot(gb), &go, &in}, encode(p),
                      [p](Backend& b, const View* v) {
                        b.fused_kernels()->conv3d_backward_weight(v[0], optional(v[1]), v[2], v[3], p);
                      });
    return true;
  }
  void max_pool2d(const View& out, const View& idx, const View& in, const PoolParams& p) override {
    real_.max_pool2d(out, idx, in, p);
    capture_.add_step(device_, "max_pool2d", StepClass::Other, {&out, &idx, &in}, encode(p),
                      [p](Backend& b, const View* v) { b.fused_kernels()->max_pool2d(v[0], v[1], v[2], p); });
  }
  void max_pool2d_backward(const View& gi, const View& go, const View& idx, const PoolParams& p) override {
    real_.max_pool2d_backward(gi, go, idx, p);
    capture_.add_step(device_, "max_pool2d_backward", StepClass::Other, {&gi, &go, &idx}, encode(p),
                      [p](Backend& b, const View* v) { b.fused_kernels()->max_pool2d_backward(v[0], v[1], v[2], p); });
  }
  void avg_pool2d(const View& out, const View& in, const PoolParams& p) override {
    real_.avg_pool2d(out, in, p);
    capture_.add_step(device_, "avg_pool2d", StepClass::Other, {&out, &in}, encode(p),
                      [p](Backend& b, const View* v) { b.fused_kernels()->avg_pool2d(v[0], v[1], p); });
  }
  void avg_pool2d_backward(const View& gi, const View& go, const PoolParams& p) override {
    real_.avg_pool2d_backward(gi, go, p);
    capture_.add_step(device_, "avg_pool2d_backward", StepClass::Other, {&gi, &go}, encode(p),
                      [p](Backend& b, const View* v) { b.fused_kernels()->avg_pool2d_backward(v[0], v[1], p); });
  }
  void batch_norm(const View& out, const View& in, const View& mean, const View& var, const View* scale,
                  const View* shift, double eps, bool training) override {
    real_.batch_norm(out, in, mean, var, scale, shift, eps, training);
    capture_.add_step(device_, "batch_norm", StepClass::Other, {&out, &in, &mean, &var, &slot(scale), &slot(shift)},
                      encode(eps, training), [eps, training](Backend& b, const View* v) {
                        b.fused_kernels()->batch_norm(v[0], v[1], v[2], v[3], optional(v[4]), optional(v[5]), eps,
                                                      training);
                      });
  }
  void batch_norm_backward(const View& gi, const View* gs, const View* gsh, const View& go, const View& in,
                           const View& mean, const View& var, const View* scale, double eps, bool training) override {
    real_.batch_norm_backward(gi, gs, gsh, go, in, mean, var, scale, eps, training);
    capture_.add_step(device_, "batch_norm_backward", StepClass::Other,
                      {&gi, &slot(gs), &slot(gsh), &go, &in, &mean, &var, &slot(scale)}, encode(eps, training),
                      [eps, training](Backend& b, const View* v) {
                        b.fused_kernels()->batch_norm_backward(v[0], optional(v[1]), optional(v[2]), v[3], v[4], v[5],
                                                               v[6], optional(v[7]), eps, training);
                      });
  }
  void layer_norm(const View& out, const View& mean, const View& var, const View& in, const View* scale,
                  const View* shift, double eps) override {
    real_.layer_norm(out, mean, var, in, scale, shift, eps);
    capture_.add_step(device_, "layer_norm", StepClass::Other, {&out, &mean, &var, &in, &slot(scale), &slot(shift)},
                      encode(eps), [eps](Backend& b, const View* v) {
                        b.fused_kernels()->layer_norm(v[0], v[1], v[2], v[3], optional(v[4]), optional(v[5]), eps);
                      });
  }
  void layer_norm_backward(const View& gi, const View* gs, const View* gsh, const View& go, const View& in,
                           const View& mean, const View& var, const View* scale, double eps) override {
    real_.layer_norm_backward(gi, gs, gsh, go, in, mean, var, scale, eps);
    capture_.add_step(device_, "layer_norm_backward", StepClass::Other,
                      {&gi, &slot(gs), &slot(gsh), &go, &in, &mean, &var, &slot(scale)}, encode(eps),
                      [eps](Backend& b, const View* v) {
                        b.fused_kernels()->layer_norm_backward(v[0], optional(v[1]), optional(v[2]), v[3], v[4], v[5],
                                                               v[6], optional(v[7]), eps);
                      });
  }
  void lstm_cell(const View& hy, const View& cy, const View& ws, const View& ig, const View& hg,
                 const View& cx) override {
    real_.lstm_cell(hy, cy, ws, ig, hg, cx);
    capture_.add_step(
        device_, "lstm_cell", StepClass::Other, {&hy, &cy, &ws, &ig, &hg, &cx}, {},
        [](Backend& b, const View* v) { b.fused_kernels()->lstm_cell(v[0], v[1], v[2], v[3], v[4], v[5]); });
  }
  void lstm_cell_backward(const View& gg, const View& gcx, const View* ghy, const View* gcy, const View& ws,
                          const View& cx) override {
    real_.lstm_cell_backward(gg, gcx, ghy, gcy, ws, cx);
    capture_.add_step(device_, "lstm_cell_backward", StepClass::Other, {&gg, &gcx, &slot(ghy), &slot(gcy), &ws, &cx},
                      {}, [](Backend& b, const View* v) {
                        b.fused_kernels()->lstm_cell_backward(v[0], v[1], optional(v[2]), optional(v[3]), v[4], v[5]);
                      });
  }
  void gru_cell(const View& hy, const View& ws, const View& ig, const View& hg, const View& hx) override {
    real_.gru_cell(hy, ws, ig, hg, hx);
    capture_.add_step(device_, "gru_cell", StepClass::Other, {&hy, &ws, &ig, &hg, &hx}, {},
                      [](Backend& b, const View* v) { b.fused_kernels()->gru_cell(v[0], v[1], v[2], v[3], v[4]); });
  }
  void gru_cell_backward(const View& gig, const View& ghg, const View& ghx, const View& ghy, const View& ws,
                         const View& hx) override {
    real_.gru_cell_backward(gig, ghg, ghx, ghy, ws, hx);
    capture_.add_step(
        device_, "gru_cell_backward", StepClass::Other, {&gig, &ghg, &ghx, &ghy, &ws, &hx}, {},
        [](Backend& b, const View* v) { b.fused_kernels()->gru_cell_backward(v[0], v[1], v[2], v[3], v[4], v[5]); });
  }
  void pack_int8_weight(const View& packed, const View& w) override {
    real_.pack_int8_weight(packed, w);
    capture_.add_step(device_, "pack_int8_weight", StepClass::Other, {&packed, &w}, {},
                      [](Backend& b, const View* v) { b.fused_kernels()->pack_int8_weight(v[0], v[1]); });
  }
  void linear_int8(const View& out, const View& x, const View& packed, const View& scale, const View& col_sum,
                   const View* bias) override {
    real_.linear_int8(out, x, packed, scale, col_sum, bias);
    capture_.add_step(device_, "linear_int8", StepClass::Other, {&out, &x, &packed, &scale, &col_sum, &slot(bias)}, {},
                      [](Backend& b, const View* v) {
                        b.fused_kernels()->linear_int8(v[0], v[1], v[2], v[3], v[4], optional(v[5]));
                      });
  }

 private:
  FusedKernels& real_;
  Capture& capture_;
  DeviceType device_;
};

}  // namespace

// ---- the backend's proxy ----------------------------------------------------------------------------------
class RecordingBackend final : public Backend {
 public:
  RecordingBackend(Backend& real, Capture& capture) : real_(real), capture_(capture) {
    if (FusedKernels* f = real.fused_kernels()) fused_ = std::make_unique<RecordingFused>(*f, capture, real.type());
  }

  DeviceType type() const override { return real_.type(); }
  int device_count() const override { return real_.device_count(); }
  void* allocate(size_t nbytes, int index) override {
    void* p = real_.allocate(nbytes, index);
    capture_.on_allocate(real_.type(), index, p, nbytes);
    return p;
  }
  void deallocate(void* ptr, size_t nbytes, int index) override {
    capture_.on_deallocate(ptr, nbytes);
    real_.deallocate(ptr, nbytes, index);
  }
  void empty_cache() override { real_.empty_cache(); }
  void copy_from_host(void* dst, const void* src, size_t nbytes, int index) override {
    real_.copy_from_host(dst, src, nbytes, index);
    capture_.add_host_upload(dst, src, nbytes, real_.type(), index);
  }
  void copy_to_host(void* dst, const void* src, size_t nbytes, int index) override {
    real_.copy_to_host(dst, src, nbytes, index);
    const int64_t size = int64_t(nbytes), stride = 1;
    capture_.add_guard(real_.type(), View{const_cast<void*>(src), ScalarType::UInt8, 1, &size, &stride}, dst, nbytes,
                       index);
  }
  void synchronize(int index) override { real_.synchronize(index); }
  bool computes_natively(ScalarType t) const override { return real_.computes_natively(t); }
  bool matmul_natively(ScalarType t) const override { return real_.matmul_natively(t); }
  bool elementwise_natively(ScalarType t) const override { return real_.elementwise_natively(t); }
  void set_num_threads(int n) override { real_.set_num_threads(n); }
  int get_num_threads() const override { return real_.get_num_threads(); }
  bool set_flush_denormal(bool on) override { return real_.set_flush_denormal(on); }
  bool flush_denormal() const override { return real_.flush_denormal(); }
  bool set_deterministic_numerics(bool on) override { return real_.set_deterministic_numerics(on); }

  void fill(const View& out, double value) override {
    real_.fill(out, value);
    capture_.add_step(real_.type(), "fill", StepClass::Rowwise, {&out}, encode(value),
                      [value](Backend& b, const View* v) { b.fill(v[0], value); });
  }
  void copy(const View& out, const View& in) override {
    real_.copy(out, in);
    capture_.add_step(real_.type(), "copy", StepClass::Rowwise, {&out, &in}, {},
                      [](Backend& b, const View* v) { b.copy(v[0], v[1]); });
  }
  void unary(UnaryOp op, const View& out, const View& in, double p0, double p1) override {
    real_.unary(op, out, in, p0, p1);
    Step& step =
        capture_.add_step(real_.type(), std::string(op_name(op)), StepClass::Rowwise, {&out, &in}, encode(op, p0, p1),
                          [op, p0, p1](Backend& b, const View* v) { b.unary(op, v[0], v[1], p0, p1); });
    step.pointwise = true;
    if (!produces_bool(op)) step.elementwise = ElementwiseCall{false, uint8_t(op), p0, p1};
  }
  void binary(BinaryOp op, const View& out, const View& a, const View& b) override {
    real_.binary(op, out, a, b);
    Step& step = capture_.add_step(real_.type(), std::string(op_name(op)), StepClass::Rowwise, {&out, &a, &b},
                                   encode(op), [op](Backend& be, const View* v) { be.binary(op, v[0], v[1], v[2]); });
    step.pointwise = true;
    if (!produces_bool(op)) step.elementwise = ElementwiseCall{true, uint8_t(op), 0, 0};
  }
  void where(const View& out, const View& cond, const View& a, const View& b) override {
    real_.where(out, cond, a, b);
    capture_
        .add_step(real_.type(), "where", StepClass::Rowwise, {&out, &cond, &a, &b}, {},
                  [](Backend& be, const View* v) { be.where(v[0], v[1], v[2], v[3]); })
        .pointwise = true;
  }
  void reduce(ReduceOp op, const View& out, const View& in) override {
    real_.reduce(op, out, in);
    // Rowwise only while dim 0 is kept: a reduction over it needs every row before it can finish.
    const bool keeps_rows = out.ndim > 0 && (out.strides[0] != 0 || out.sizes[0] == 1);
    Step& step = capture_.add_step(real_.type(), std::string("reduce ") + op_name(op),
                                   keeps_rows ? StepClass::Rowwise : StepClass::Other, {&out, &in}, encode(op),
                                   [op](Backend& b, const View* v) { b.reduce(op, v[0], v[1]); });
    if (keeps_rows) step.row_reduction = op;
  }
  void arg_reduce(ArgReduceOp op, const View* values, const View& indices, const View& in, int dim) override {
    real_.arg_reduce(op, values, indices, in, dim);
    capture_.add_step(real_.type(), "arg_reduce", StepClass::Other, {&slot(values), &indices, &in}, encode(op, dim),
                      [op, dim](Backend& b, const View* v) { b.arg_reduce(op, optional(v[0]), v[1], v[2], dim); });
  }
  void scan(ReduceOp op, const View& out, const View& in, int dim) override {
    real_.scan(op, out, in, dim);
    capture_.add_step(real_.type(), std::string("scan ") + op_name(op), StepClass::Other, {&out, &in}, encode(op, dim),
                      [op, dim](Backend& b, const View* v) { b.scan(op, v[0], v[1], dim); });
  }
  void sort(const View& values, const View& indices, const View& in, int dim, bool descending) override {
    real_.sort(values, indices, in, dim, descending);
    capture_.add_step(real_.type(), "sort", StepClass::Other, {&values, &indices, &in}, encode(dim, descending),
                      [dim, descending](Backend& b, const View* v) { b.sort(v[0], v[1], v[2], dim, descending); });
  }
  void matmul(const View& out, const View& a, const View& b) override {
    real_.matmul(out, a, b);
    capture_.add_step(real_.type(), "matmul", StepClass::Other, {&out, &a, &b}, {},
                      [](Backend& be, const View* v) { be.matmul(v[0], v[1], v[2]); });
  }
  void index_select(const View& out, const View& in, int dim, const View& index) override {
    real_.index_select(out, in, dim, index);
    capture_.add_step(real_.type(), "index_select", StepClass::Other, {&out, &in, &index}, encode(dim),
                      [dim](Backend& b, const View* v) { b.index_select(v[0], v[1], dim, v[2]); });
  }
  void index_add(const View& out, int dim, const View& index, const View& src) override {
    real_.index_add(out, dim, index, src);
    capture_.add_step(real_.type(), "index_add", StepClass::Other, {&out, &index, &src}, encode(dim),
                      [dim](Backend& b, const View* v) { b.index_add(v[0], dim, v[1], v[2]); });
  }
  void gather(const View& out, const View& in, int dim, const View& index) override {
    real_.gather(out, in, dim, index);
    capture_.add_step(real_.type(), "gather", StepClass::Other, {&out, &in, &index}, encode(dim),
                      [dim](Backend& b, const View* v) { b.gather(v[0], v[1], dim, v[2]); });
  }
  void scatter(const View& out, int dim, const View& index, const View& src, bool accumulate) override {
    real_.scatter(out, dim, index, src, accumulate);
    capture_.add_step(real_.type(), accumulate ? "scatter_add" : "scatter", StepClass::Other, {&out, &index, &src},
                      encode(dim, accumulate),
                      [dim, accumulate](Backend& b, const View* v) { b.scatter(v[0], dim, v[1], v[2], accumulate); });
  }
  void random(const View& out, RandomKind kind, double a, double b, uint64_t seed, uint64_t offset) override {
    real_.random(out, kind, a, b, seed, offset);
    capture_.add_random(real_.type(), out, kind, a, b, seed, offset);
  }
  FusedKernels* fused_kernels() override { return fused_.get(); }

 private:
  Backend& real_;
  Capture& capture_;
  std::unique_ptr<RecordingFused> fused_;
};

// ---- the capture ------------------------------------------------------------------------------------------
Capture::Capture(std::span<const Tensor> inputs) {
  for (const Tensor& t : inputs) {
    const StorageImpl* s = t.impl()->storage;
    const auto begin = reinterpret_cast<uintptr_t>(s->data);
    inputs_.push_back({begin, begin + s->nbytes, reinterpret_cast<uintptr_t>(t.impl()->byte_ptr())});
  }
  // The thread's stack: memory a primitive reads there must be a scalar operand lib/ declared (note_host_scalar).
  pthread_attr_t attr;
  if (pthread_getattr_np(pthread_self(), &attr) == 0) {
    void* base = nullptr;
    size_t size = 0;
    if (pthread_attr_getstack(&attr, &base, &size) == 0) {
      stack_begin_ = reinterpret_cast<uintptr_t>(base);
      stack_end_ = stack_begin_ + size;
    }
    pthread_attr_destroy(&attr);
  }
  random_start_ = random_state();
  t_capture = this;
  t_capture_hook = this;
}

Capture::~Capture() {
  if (t_capture == this) t_capture = nullptr;
  if (t_capture_hook == this) t_capture_hook = nullptr;
}

Capture* active_capture() { return t_capture; }

Backend& Capture::backend(DeviceType type) {
  auto& proxy = proxies_[int(type)];
  if (!proxy) {
    // Look the real backend up with the hook out of the way, then put it back.
    t_capture_hook = nullptr;
    Backend* real = nullptr;
    try {
      real = &wick::backend_for(type);
    } catch (...) {
      t_capture_hook = this;
      throw;
    }
    t_capture_hook = this;
    proxy = std::make_unique<RecordingBackend>(*real, *this);
  }
  return *proxy;
}

Recording Capture::finish() {
  t_capture = nullptr;
  t_capture_hook = nullptr;
  const RandomSlice end = random_state();
  if (end.seed != random_start_.seed) mark_unreplayable("the random generator was re-seeded inside the step");
  recording_.random_advance = end.offset - random_start_.offset;
  return std::move(recording_);
}

BufferRef Capture::resolve(const View& v) {
  BufferRef ref;
  if (!v.data) return ref;
  const auto p = reinterpret_cast<uintptr_t>(v.data);
  for (size_t i = 0; i < inputs_.size(); ++i) {
    if (p >= inputs_[i].begin && p < inputs_[i].end) {
      ref.kind = BufferKind::Input;
      ref.id = int32_t(i);
      ref.offset = int64_t(p) - int64_t(inputs_[i].data);
      return ref;
    }
  }
  auto it = live_blocks_.upper_bound(p);
  if (it != live_blocks_.begin()) {
    --it;
    const BlockRecord& block = recording_.blocks[size_t(it->second)];
    if (p < block.address + std::max<size_t>(block.nbytes, 1)) {
      ref.kind = BufferKind::Block;
      ref.id = it->second;
      ref.offset = int64_t(p - block.address);
      return ref;
    }
  }
  for (const auto& [begin, nbytes] : host_scalars_) {
    if (p < begin || p >= begin + nbytes) continue;
    // A scalar operand: one element broadcast everywhere. Its value is part of the step, like any constant.
    for (int d = 0; d < v.ndim; ++d)
      if (v.strides[d] != 0 && v.sizes[d] != 1) mark_unreplayable("a primitive read a host scalar as an array");
    const auto* bytes = reinterpret_cast<const std::byte*>(begin);
    recording_.constants.emplace_back(bytes, bytes + nbytes);
    ref.kind = BufferKind::Constant;
    ref.id = int32_t(recording_.constants.size() - 1);
    return ref;
  }
  if (p >= stack_begin_ && p < stack_end_) {
    // Stack memory nobody declared: a replay could not find it again.
    mark_unreplayable("a primitive read stack memory that is not a declared scalar operand");
  }
  ref.kind = BufferKind::External;
  ref.address = p;
  external_uses_.emplace_back(p, int(recording_.steps.size()));
  return ref;
}

ViewRecord Capture::record_view(const View& v) {
  ViewRecord r;
  r.buffer = resolve(v);
  r.dtype = v.dtype;
  if (v.data) {
    r.sizes.assign(v.sizes, v.sizes + v.ndim);
    r.strides.assign(v.strides, v.strides + v.ndim);
  }
  return r;
}

Step& Capture::add_step(DeviceType device, std::string label, StepClass kind, std::initializer_list<const View*> views,
                        std::vector<std::byte> params, Launch launch) {
  Step step;
  step.device = device;
  step.label = std::move(label);
  step.kind = kind;
  step.params = std::move(params);
  step.launch = std::move(launch);
  for (const View* v : views) step.views.push_back(record_view(*v));
  recording_.steps.push_back(std::move(step));
  host_scalars_.clear();
  return recording_.steps.back();
}

void Capture::add_host_scalar(const void* data, size_t nbytes) {
  host_scalars_.emplace_back(reinterpret_cast<uintptr_t>(data), nbytes);
}

void Capture::add_random(DeviceType device, const View& out, RandomKind kind, double a, double b, uint64_t seed,
                         uint64_t offset) {
  if (seed != random_start_.seed) mark_unreplayable("a random op drew with a seed other than the generator's");
  Step step;
  step.device = device;
  step.label = "random";
  step.kind = StepClass::Random;
  step.params = encode(kind, a, b);
  step.random_kind = kind;
  step.random_a = a;
  step.random_b = b;
  step.random_offset = offset - random_start_.offset;
  step.views.push_back(record_view(out));
  recording_.steps.push_back(std::move(step));
}

void Capture::add_guard(DeviceType device, const View& source, const void* host_bytes, size_t nbytes,
                        int /*device_index*/) {
  Step step;
  step.device = device;
  step.label = "read to host";
  step.kind = StepClass::Guard;
  step.views.push_back(record_view(source));
  const auto* p = static_cast<const std::byte*>(host_bytes);
  step.expected.assign(p, p + nbytes);
  recording_.steps.push_back(std::move(step));
}

void Capture::add_host_upload(void* dst, const void* src, size_t nbytes, DeviceType device, int device_index) {
  const auto* p = static_cast<const std::byte*>(src);
  recording_.constants.emplace_back(p, p + nbytes);
  const int constant = int(recording_.constants.size() - 1);
  const int64_t size = int64_t(nbytes), stride = 1;
  const View target{dst, ScalarType::UInt8, 1, &size, &stride};
  Step step;
  step.device = device;
  step.label = "upload constant";
  step.kind = StepClass::Other;
  step.views.push_back(record_view(target));
  ViewRecord source;
  source.buffer = {BufferKind::Constant, constant, 0, 0};
  source.dtype = ScalarType::UInt8;
  source.sizes = {size};
  source.strides = {stride};
  step.views.push_back(std::move(source));
  step.params = encode(nbytes);
  step.launch = [nbytes, device_index](Backend& b, const View* v) {
    b.copy_from_host(v[0].data, v[1].data, nbytes, device_index);
  };
  recording_.steps.push_back(std::move(step));
}

void Capture::on_allocate(DeviceType device, int device_index, void* ptr, size_t nbytes) {
  BlockRecord block;
  block.device = device;
  block.device_index = device_index;
  block.nbytes = nbytes;
  block.address = reinterpret_cast<uintptr_t>(ptr);
  block.first_step = int(recording_.steps.size());
  recording_.blocks.push_back(block);
  if (ptr) live_blocks_[block.address] = int(recording_.blocks.size() - 1);
}

void Capture::on_deallocate(void* ptr, size_t nbytes) {
  const auto p = reinterpret_cast<uintptr_t>(ptr);
  if (auto it = live_blocks_.find(p); it != live_blocks_.end()) {
    recording_.blocks[size_t(it->second)].end_step = int(recording_.steps.size());
    live_blocks_.erase(it);
    return;
  }
  // Memory from before the step, freed inside it: fine unless a recorded step used it, since a replay would then
  // touch memory that is no longer anyone's.
  for (const auto& [address, step] : external_uses_) {
    if (address >= p && address < p + std::max<size_t>(nbytes, 1)) {
      mark_unreplayable("step " + std::to_string(step) + " (" + recording_.steps[size_t(step)].label +
                        ") used memory that the step then freed");
      return;
    }
  }
}

void Capture::mark_unreplayable(std::string why) {
  if (recording_.unreplayable.empty()) recording_.unreplayable = std::move(why);
}

bool Recording::same_as(const Recording& other) const {
  if (steps.size() != other.steps.size() || blocks.size() != other.blocks.size() || constants != other.constants ||
      random_advance != other.random_advance || !unreplayable.empty() || !other.unreplayable.empty())
    return false;
  for (size_t i = 0; i < blocks.size(); ++i) {
    const BlockRecord &a = blocks[i], &b = other.blocks[i];
    if (a.device != b.device || a.device_index != b.device_index || a.nbytes != b.nbytes ||
        a.first_step != b.first_step || a.end_step != b.end_step)
      return false;
  }
  for (size_t i = 0; i < steps.size(); ++i) {
    const Step &a = steps[i], &b = other.steps[i];
    if (a.device != b.device || a.label != b.label || a.kind != b.kind || a.views != b.views || a.params != b.params ||
        a.random_offset != b.random_offset || a.expected != b.expected)
      return false;
  }
  return true;
}

}  // namespace wick::detail::compile

namespace wick::detail {

void note_host_write(const Tensor& written) {
  compile::Capture* capture = compile::active_capture();
  if (!capture || !written.defined() || written.nbytes() == 0) return;
  WICK_CHECK(written.is_contiguous(), "compile", "a host write into a non-contiguous tensor cannot be captured");
  capture->add_host_upload(written.impl()->byte_ptr(), written.impl()->byte_ptr(), written.nbytes(),
                           written.device().type, written.device().index);
}

void note_host_scalar(const void* data, size_t nbytes) {
  if (compile::Capture* capture = compile::active_capture()) capture->add_host_scalar(data, nbytes);
}

void note_host_dependence(const char* what) {
  if (compile::Capture* capture = compile::active_capture())
    capture->mark_unreplayable(std::string(what) + " read tensor values on the host");
}

}  // namespace wick::detail
