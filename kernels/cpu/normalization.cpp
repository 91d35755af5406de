// Layer normalisation, forward and backward, on oneDNN primitives (float32). As with convolutions, each shape
// gets its primitive once, cached per thread, so a training loop never pays oneDNN's creation cost again. Builds
// without oneDNN do not fuse layer norm: lib/ composes it from the xsimd reductions and arithmetic instead
// (CpuBackend::supports says which). Batch norm is batch_norm.cpp's, in every build.
#include "cpu_backend.h"

#ifdef WICK_HAVE_ONEDNN
#include <array>
#include <bit>
#include <memory>
#include <unordered_map>
#include <utility>

#include "onednn.h"
#include "wick/error.h"

namespace wick::cpu {
namespace {

using dt = dnnl::memory::data_type;
using tag = dnnl::memory::format_tag;
using dnnl::normalization_flags;

enum class Kind : int64_t { LayerForward, LayerBackward };

// rows = M, cols = K.
struct Shape {
  int64_t rows, cols;
};

using Key = PrimitiveKey<6>;

// A primitive with one memory object per argument; each call points the memories at the caller's buffers.
struct Entry {
  dnnl::primitive prim;
  std::unordered_map<int, dnnl::memory> args;
};

normalization_flags flags_of(bool scale, bool shift) {
  auto f = normalization_flags::none;
  if (scale) f |= normalization_flags::use_scale;
  if (shift) f |= normalization_flags::use_shift;
  return f;
}

dnnl::memory::desc vector_md(int64_t n) { return {{n}, dt::f32, tag::a}; }

dnnl::memory::desc layer_md(const Shape& s) { return {{s.rows, s.cols}, dt::f32, tag::ab}; }

void add_args(Entry& e, std::initializer_list<std::pair<int, dnnl::memory::desc>> args) {
  for (const auto& [arg, md] : args) e.args.emplace(arg, dnnl::memory(md, onednn_engine(), DNNL_MEMORY_NONE));
}

std::unique_ptr<Entry> create_entry(Kind kind, const Shape& s, bool scale, bool shift, float eps) {
  using namespace dnnl;
  auto e = std::make_unique<Entry>();
  const normalization_flags flags = flags_of(scale, shift);
  // Backward computes the scale and shift gradients exactly when the forward had them.
  const prop_kind backward_kind = scale || shift ? prop_kind::backward : prop_kind::backward_data;
  const memory::desc data = layer_md(s), stats = vector_md(s.rows), params = vector_md(s.cols);
  const layer_normalization_forward::primitive_desc fwd({prop_kind::forward_training, data, stats, eps, flags},
                                                        onednn_engine());
  if (kind == Kind::LayerForward) {
    e->prim = layer_normalization_forward(fwd);
    add_args(*e, {{DNNL_ARG_SRC, data}, {DNNL_ARG_DST, data}, {DNNL_ARG_MEAN, stats}, {DNNL_ARG_VARIANCE, stats}});
    if (scale) add_args(*e, {{DNNL_ARG_SCALE, params}});
    if (shift) add_args(*e, {{DNNL_ARG_SHIFT, params}});
  } else {
    const layer_normalization_backward::primitive_desc bwd({backward_kind, data, data, stats, eps, flags},
                                                           onednn_engine(), fwd);
    e->prim = layer_normalization_backward(bwd);
    add_args(*e, {{DNNL_ARG_SRC, data},
                  {DNNL_ARG_DIFF_DST, data},
                  {DNNL_ARG_DIFF_SRC, data},
                  {DNNL_ARG_MEAN, stats},
                  {DNNL_ARG_VARIANCE, stats}});
    if (scale) add_args(*e, {{DNNL_ARG_SCALE, params}, {DNNL_ARG_DIFF_SCALE, params}});
    if (shift) add_args(*e, {{DNNL_ARG_SHIFT, params}, {DNNL_ARG_DIFF_SHIFT, params}});
  }
  return e;
}

constexpr size_t kMaxEntries = 256;

// Per thread, like the convolution cache: two threads training two models share nothing.
Entry& find_entry(const char* op, Kind kind, const Shape& s, bool scale, bool shift, double eps) {
  thread_local std::unordered_map<Key, std::unique_ptr<Entry>, PrimitiveKeyHash> entries;
  const float eps_f = float(eps);
  const Key key{int64_t(kind), s.rows, s.cols, scale, shift, int64_t(std::bit_cast<uint32_t>(eps_f))};
  auto it = entries.find(key);
  if (it != entries.end()) return *it->second;
  if (entries.size() >= kMaxEntries) entries.clear();  // a shape sweep: start over rather than grow
  try {
    return *entries.emplace(key, create_entry(kind, s, scale, shift, eps_f)).first->second;
  } catch (const dnnl::error& err) {
    fail(op, "oneDNN cannot create the primitive for shape [", s.rows, ", ", s.cols, "]: ", err.what());
  }
}

// oneDNN 2.6 refuses to run a backward primitive whose forward used a shift unless the shift is passed too,
// although no gradient depends on it; the backward passes pass the shift-gradient buffer in its place.

// Points each argument at its buffer (absent optional arguments are skipped) and runs the primitive.
void execute(const char* op, Entry& e, std::initializer_list<std::pair<int, const View*>> buffers) {
  for (const auto& [arg, view] : buffers)
    if (view) e.args.at(arg).set_data_handle(view->data);
  try {
    dnnl::stream& s = onednn_stream();
    e.prim.execute(s, e.args);
    s.wait();
  } catch (const dnnl::error& err) {
    fail(op, "oneDNN failed: ", err.what());
  }
}

Shape layer_shape(const View& input) { return Shape{input.sizes[0], input.sizes[1]}; }

}  // namespace

void CpuBackend::layer_norm(const View& out, const View& mean, const View& var, const View& input, const View* scale,
                            const View* shift, double eps) {
  Entry& e = find_entry("layer_norm", Kind::LayerForward, layer_shape(input), scale, shift, eps);
  execute("layer_norm", e,
          {{DNNL_ARG_SRC, &input},
           {DNNL_ARG_DST, &out},
           {DNNL_ARG_MEAN, &mean},
           {DNNL_ARG_VARIANCE, &var},
           {DNNL_ARG_SCALE, scale},
           {DNNL_ARG_SHIFT, shift}});
}

void CpuBackend::layer_norm_backward(const View& grad_input, const View* grad_scale, const View* grad_shift,
                                     const View& grad_out, const View& input, const View& mean, const View& var,
                                     const View* scale, double eps) {
  Entry& e = find_entry("layer_norm_backward", Kind::LayerBackward, layer_shape(input), grad_scale, grad_shift, eps);
  execute("layer_norm_backward", e,
          {{DNNL_ARG_SRC, &input},
           {DNNL_ARG_DIFF_DST, &grad_out},
           {DNNL_ARG_DIFF_SRC, &grad_input},
           {DNNL_ARG_MEAN, &mean},
           {DNNL_ARG_VARIANCE, &var},
           {DNNL_ARG_SCALE, scale},
           {DNNL_ARG_DIFF_SCALE, grad_scale},
           {DNNL_ARG_SHIFT, grad_shift},
           {DNNL_ARG_DIFF_SHIFT, grad_shift}});
}

}  // namespace wick::cpu
#endif
