// 2-D convolution and its two backward passes on the CPU. float32 runs on oneDNN primitives when it is
// built in: one primitive per geometry, created once and cached per thread, so small repeated shapes never
// pay oneDNN's creation cost again. float64, every dtype in builds without oneDNN, and the few float32
// geometries oneDNN handles badly (see onednn_suits) take the portable path: im2col + the packed xsimd GEMM.
#include "conv.h"

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <mutex>
#include <vector>

#include "cpu_backend.h"
#include "dispatch.h"
#include "onednn_switch.h"
#include "simd/simd_table.h"
#include "thread_pool.h"

#ifdef WICK_HAVE_ONEDNN
#include <array>
#include <unordered_map>

#include "onednn.h"
#endif

namespace wick::cpu {
namespace {

// input [N, C, H, W], weight [OC, C/G, KH, KW], output [N, OC, OH, OW].
struct Geometry {
  int64_t N, C, H, W, OC, KH, KW, OH, OW, G;
  int64_t s0, s1, p0, p1, d0, d1;
  int64_t Cg() const { return C / G; }
  int64_t OCg() const { return OC / G; }
  int64_t K() const { return Cg() * KH * KW; }  // rows of one group's column matrix
  int64_t OHW() const { return OH * OW; }
  int64_t HW() const { return H * W; }
  // 1x1, stride 1, no padding: the input already is its own column matrix.
  bool pointwise() const {
    return KH == 1 && KW == 1 && s0 == 1 && s1 == 1 && p0 == 0 && p1 == 0 && OH == H && OW == W;
  }
};

Geometry geometry(const View& input, const View& weight, const View& out, const ConvParams& p) {
  return Geometry{input.sizes[0], input.sizes[1], input.sizes[2], input.sizes[3], weight.sizes[0],
                  weight.sizes[2], weight.sizes[3], out.sizes[2],   out.sizes[3],   p.groups,
                  p.stride[0],     p.stride[1],     p.padding[0],   p.padding[1],   p.dilation[0],
                  p.dilation[1]};
}

int64_t floor_div(int64_t a, int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }
int64_t ceil_div(int64_t a, int64_t b) { return -floor_div(-a, b); }

// Output columns [lo, hi) whose input column ow * stride + offset lies inside [0, W).
void valid_range(int64_t offset, int64_t stride, int64_t W, int64_t OW, int64_t& lo, int64_t& hi) {
  lo = std::clamp<int64_t>(ceil_div(-offset, stride), 0, OW);
  hi = std::clamp<int64_t>(ceil_div(W - offset, stride), lo, OW);
}

// col[(c, kh, kw), (oh, ow)] = x[c, oh*s0 - p0 + kh*d0, ow*s1 - p1 + kw*d1], zero outside the input.
// With accumulate = true it runs backwards: x[...] += col[...] (col2im).
template <class T, bool kCol2Im>
void im2col(const Geometry& g, std::conditional_t<kCol2Im, T*, const T*> x,
            std::conditional_t<kCol2Im, const T*, T*> col) {
  for (int64_t c = 0; c < g.Cg(); ++c)
    for (int64_t kh = 0; kh < g.KH; ++kh)
      for (int64_t kw = 0; kw < g.KW; ++kw) {
        auto* row = col + ((c * g.KH + kh) * g.KW + kw) * g.OHW();
        const int64_t woff = kw * g.d1 - g.p1;
        int64_t lo, hi;
        valid_range(woff, g.s1, g.W, g.OW, lo, hi);
        for (int64_t oh = 0; oh < g.OH; ++oh) {
          auto* r = row + oh * g.OW;
          const int64_t ih = oh * g.s0 - g.p0 + kh * g.d0;
          const bool inside = ih >= 0 && ih < g.H;
          if constexpr (kCol2Im) {
            if (!inside) continue;
            T* xr = x + (c * g.H + ih) * g.W;
            for (int64_t ow = lo; ow < hi; ++ow) xr[ow * g.s1 + woff] += r[ow];
          } else {
            if (!inside) {
              std::fill(r, r + g.OW, T(0));
              continue;
            }
            const T* xr = x + (c * g.H + ih) * g.W;
            std::fill(r, r + lo, T(0));
            if (g.s1 == 1) std::memcpy(r + lo, xr + lo + woff, size_t(hi - lo) * sizeof(T));
            else
              for (int64_t ow = lo; ow < hi; ++ow) r[ow] = xr[ow * g.s1 + woff];
            std::fill(r + hi, r + g.OW, T(0));
          }
        }
      }
}

template <class T>
T* col_buffer(size_t n) {
  thread_local std::vector<T> buffer;
  if (buffer.size() < n) buffer.resize(n);
  return buffer.data();
}

template <class T>
constexpr int gemm_index() {
  return sizeof(T) == 4 ? 0 : 1;
}

// ---- portable path ------------------------------------------------------------------------------------
template <class T>
void forward_portable(const Geometry& g, const T* x, const T* w, const T* bias, T* y) {
  const auto gemm = simd_table().gemm[gemm_index<T>()];
  parallel_for(0, g.N * g.G, 1, [&](int64_t begin, int64_t end) {
    for (int64_t i = begin; i < end; ++i) {
      const int64_t n = i / g.G, grp = i % g.G;
      const T* xg = x + (n * g.C + grp * g.Cg()) * g.HW();
      T* yg = y + (n * g.OC + grp * g.OCg()) * g.OHW();
      const T* cols = xg;
      if (!g.pointwise()) {
        T* buf = col_buffer<T>(size_t(g.K() * g.OHW()));
        im2col<T, false>(g, xg, buf);
        cols = buf;
      }
      gemm(g.OCg(), g.OHW(), g.K(), w + grp * g.OCg() * g.K(), g.K(), 1, cols, g.OHW(), 1, yg, g.OHW(), false);
      if (bias)
        for (int64_t oc = 0; oc < g.OCg(); ++oc) {
          const T b = bias[grp * g.OCg() + oc];
          T* row = yg + oc * g.OHW();
          for (int64_t j = 0; j < g.OHW(); ++j) row[j] += b;
        }
    }
  });
}

template <class T>
void backward_input_portable(const Geometry& g, const T* gy, const T* w, T* gx) {
  const auto gemm = simd_table().gemm[gemm_index<T>()];
  parallel_for(0, g.N * g.G, 1, [&](int64_t begin, int64_t end) {
    for (int64_t i = begin; i < end; ++i) {
      const int64_t n = i / g.G, grp = i % g.G;
      T* gxg = gx + (n * g.C + grp * g.Cg()) * g.HW();
      const T* gyg = gy + (n * g.OC + grp * g.OCg()) * g.OHW();
      const T* wg = w + grp * g.OCg() * g.K();
      // cols = W_g^T @ gy_g, then scattered back onto the input positions they came from
      if (g.pointwise()) {
        gemm(g.K(), g.OHW(), g.OCg(), wg, 1, g.K(), gyg, g.OHW(), 1, gxg, g.HW(), false);
        continue;
      }
      T* cols = col_buffer<T>(size_t(g.K() * g.OHW()));
      gemm(g.K(), g.OHW(), g.OCg(), wg, 1, g.K(), gyg, g.OHW(), 1, cols, g.OHW(), false);
      std::fill(gxg, gxg + g.Cg() * g.HW(), T(0));
      im2col<T, true>(g, gxg, cols);
    }
  });
}

template <class T>
void backward_weight_portable(const Geometry& g, const T* gy, const T* x, T* gw, T* gb) {
  const auto gemm = simd_table().gemm[gemm_index<T>()];
  const int64_t wnumel = g.OC * g.K();
  std::fill(gw, gw + wnumel, T(0));
  // One chunk covering the whole batch writes straight into gw; others sum privately, and the partial sums
  // are added in batch order afterwards, so a run's bits do not depend on which thread finished first.
  std::mutex merge;
  std::vector<std::pair<int64_t, std::vector<T>>> partials;  // (first sample of the chunk, its sum)
  parallel_for(0, g.N, 1, [&](int64_t begin, int64_t end) {
    const bool whole = begin == 0 && end == g.N;
    std::vector<T> partial(whole ? 0 : size_t(wnumel), T(0));
    T* acc = whole ? gw : partial.data();
    for (int64_t n = begin; n < end; ++n)
      for (int64_t grp = 0; grp < g.G; ++grp) {
        const T* xg = x + (n * g.C + grp * g.Cg()) * g.HW();
        const T* gyg = gy + (n * g.OC + grp * g.OCg()) * g.OHW();
        const T* cols = xg;
        if (!g.pointwise()) {
          T* buf = col_buffer<T>(size_t(g.K() * g.OHW()));
          im2col<T, false>(g, xg, buf);
          cols = buf;
        }
        // gW_g += gy_g [OCg, OHW] @ cols^T [OHW, K]
        gemm(g.OCg(), g.K(), g.OHW(), gyg, g.OHW(), 1, cols, 1, g.OHW(), acc + grp * g.OCg() * g.K(), g.K(), true);
      }
    if (!whole) {
      std::lock_guard<std::mutex> lock(merge);
      partials.emplace_back(begin, std::move(partial));
    }
  });
  std::sort(partials.begin(), partials.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  for (const auto& [begin, partial] : partials)
    for (int64_t j = 0; j < wnumel; ++j) gw[j] += partial[size_t(j)];
  if (gb) {
    const auto sum_row = simd_table().reduce[int(ReduceOp::Sum)][gemm_index<T>()];
    for (int64_t oc = 0; oc < g.OC; ++oc) {
      T s = 0;
      for (int64_t n = 0; n < g.N; ++n) sum_row(gy + (n * g.OC + oc) * g.OHW(), g.OHW(), &s);
      gb[oc] = s;
    }
  }
}

// ---- oneDNN path --------------------------------------------------------------------------------------
#ifdef WICK_HAVE_ONEDNN
enum class Pass : int64_t { Forward, BackwardData, BackwardWeights };

using Key = PrimitiveKey<18>;

// Per-thread working memory for blocked-layout copies and oneDNN's scratchpad, shared by every cached
// primitive of the thread (they run one at a time), so memory grows with the largest convolution rather
// than with the number of geometries seen.
class Workspace {
 public:
  static constexpr int kSlots = 5;  // up to four reordered operands, then the scratchpad
  void* get(int slot, size_t bytes) {
    Buffer& b = buffers_[slot];
    if (bytes > b.bytes) {
      std::free(b.data);
      b.bytes = (bytes + 63) / 64 * 64;
      b.data = std::aligned_alloc(64, b.bytes);
      WICK_CHECK(b.data != nullptr, "conv2d", "out of memory for a ", (unsigned long)bytes, "-byte workspace");
    }
    return b.data;
  }
  ~Workspace() {
    for (Buffer& b : buffers_) std::free(b.data);
  }

 private:
  struct Buffer {
    void* data = nullptr;
    size_t bytes = 0;
  };
  Buffer buffers_[kSlots];
};

// A tensor as the caller holds it (plain NCHW / OIHW) and, when oneDNN prefers a blocked layout, the
// primitive's own copy (in the thread's workspace) with the reorder between them.
struct Port {
  int arg = 0;
  bool output = false;
  dnnl::memory user, inner;
  dnnl::reorder convert;
  bool reordered = false;

  Port(int a, bool out, const dnnl::memory::desc& plain, const dnnl::memory::desc& wanted) : arg(a), output(out) {
    user = dnnl::memory(plain, onednn_engine(), DNNL_MEMORY_NONE);
    if (wanted != plain) {
      reordered = true;
      inner = dnnl::memory(wanted, onednn_engine(), DNNL_MEMORY_NONE);
      convert = out ? dnnl::reorder(inner, user) : dnnl::reorder(user, inner);
    }
  }
  const dnnl::memory& used() const { return reordered ? inner : user; }
};

struct Entry {
  dnnl::primitive prim;
  std::vector<Port> ports;
  dnnl::memory scratch;
  std::unordered_map<int, dnnl::memory> args;  // built once; memories get their buffers at each call
};

struct Descs {
  dnnl::memory::desc src, wei, bias, dst;  // plain layouts
  dnnl::memory::desc any_src, any_wei, any_dst;
  dnnl::memory::dims strides, dilates, pad_l, pad_r;
};

Descs descs(const Geometry& g) {
  using dt = dnnl::memory::data_type;
  using tag = dnnl::memory::format_tag;
  Descs d;
  const dnnl::memory::dims src{g.N, g.C, g.H, g.W}, dst{g.N, g.OC, g.OH, g.OW};
  const dnnl::memory::dims wei = g.G == 1 ? dnnl::memory::dims{g.OC, g.C, g.KH, g.KW}
                                          : dnnl::memory::dims{g.G, g.OCg(), g.Cg(), g.KH, g.KW};
  d.src = {src, dt::f32, tag::nchw};
  d.dst = {dst, dt::f32, tag::nchw};
  d.wei = {wei, dt::f32, g.G == 1 ? tag::oihw : tag::goihw};
  d.bias = {{g.OC}, dt::f32, tag::x};
  d.any_src = {src, dt::f32, tag::any};
  d.any_dst = {dst, dt::f32, tag::any};
  d.any_wei = {wei, dt::f32, tag::any};
  d.strides = {g.s0, g.s1};
  d.dilates = {g.d0 - 1, g.d1 - 1};
  d.pad_l = {g.p0, g.p1};
  // Right padding that makes oneDNN's output size equal ours (negative where rows are left unused).
  d.pad_r = {(g.OH - 1) * g.s0 - g.H + (g.KH - 1) * g.d0 + 1 - g.p0,
             (g.OW - 1) * g.s1 - g.W + (g.KW - 1) * g.d1 + 1 - g.p1};
  return d;
}

dnnl::convolution_forward::primitive_desc forward_pd(const Descs& d, bool bias, const dnnl::primitive_attr& attr) {
  using namespace dnnl;
  const auto desc = bias ? convolution_forward::desc(prop_kind::forward_training, algorithm::convolution_direct,
                                                     d.any_src, d.any_wei, d.bias, d.any_dst, d.strides, d.dilates,
                                                     d.pad_l, d.pad_r)
                         : convolution_forward::desc(prop_kind::forward_training, algorithm::convolution_direct,
                                                     d.any_src, d.any_wei, d.any_dst, d.strides, d.dilates, d.pad_l,
                                                     d.pad_r);
  return convolution_forward::primitive_desc(desc, attr, onednn_engine());
}

std::unique_ptr<Entry> create_entry(Pass pass, const Geometry& g, bool bias) {
  using namespace dnnl;
  const Descs d = descs(g);
  primitive_attr attr;
  attr.set_scratchpad_mode(scratchpad_mode::user);  // scratch from the thread's workspace
  auto e = std::make_unique<Entry>();
  const auto fwd = forward_pd(d, bias, attr);
  memory::desc scratch_md;
  if (pass == Pass::Forward) {
    e->prim = convolution_forward(fwd);
    e->ports.emplace_back(DNNL_ARG_SRC, false, d.src, fwd.src_desc());
    e->ports.emplace_back(DNNL_ARG_WEIGHTS, false, d.wei, fwd.weights_desc());
    if (bias) e->ports.emplace_back(DNNL_ARG_BIAS, false, d.bias, d.bias);
    e->ports.emplace_back(DNNL_ARG_DST, true, d.dst, fwd.dst_desc());
    scratch_md = fwd.scratchpad_desc();
  } else if (pass == Pass::BackwardData) {
    const convolution_backward_data::desc desc(algorithm::convolution_direct, d.any_src, d.any_wei, d.any_dst,
                                               d.strides, d.dilates, d.pad_l, d.pad_r);
    const convolution_backward_data::primitive_desc pd(desc, attr, onednn_engine(), fwd);
    e->prim = convolution_backward_data(pd);
    e->ports.emplace_back(DNNL_ARG_DIFF_DST, false, d.dst, pd.diff_dst_desc());
    e->ports.emplace_back(DNNL_ARG_WEIGHTS, false, d.wei, pd.weights_desc());
    e->ports.emplace_back(DNNL_ARG_DIFF_SRC, true, d.src, pd.diff_src_desc());
    scratch_md = pd.scratchpad_desc();
  } else {
    const auto desc = bias ? convolution_backward_weights::desc(algorithm::convolution_direct, d.any_src, d.any_wei,
                                                                d.bias, d.any_dst, d.strides, d.dilates, d.pad_l,
                                                                d.pad_r)
                           : convolution_backward_weights::desc(algorithm::convolution_direct, d.any_src, d.any_wei,
                                                                d.any_dst, d.strides, d.dilates, d.pad_l, d.pad_r);
    const convolution_backward_weights::primitive_desc pd(desc, attr, onednn_engine(), fwd);
    e->prim = convolution_backward_weights(pd);
    e->ports.emplace_back(DNNL_ARG_SRC, false, d.src, pd.src_desc());
    e->ports.emplace_back(DNNL_ARG_DIFF_DST, false, d.dst, pd.diff_dst_desc());
    e->ports.emplace_back(DNNL_ARG_DIFF_WEIGHTS, true, d.wei, pd.diff_weights_desc());
    if (bias) e->ports.emplace_back(DNNL_ARG_DIFF_BIAS, true, d.bias, d.bias);
    scratch_md = pd.scratchpad_desc();
  }
  e->scratch = memory(scratch_md, onednn_engine(), DNNL_MEMORY_NONE);
  for (const Port& p : e->ports) e->args.emplace(p.arg, p.used());
  e->args.emplace(DNNL_ARG_SCRATCHPAD, e->scratch);
  return e;
}

// Per thread: two threads running two models never lock or share a buffer. Null entries remember
// geometries oneDNN rejected, so those go straight to the portable path next time.
struct Cache {
  std::unordered_map<Key, std::unique_ptr<Entry>, PrimitiveKeyHash> entries;
  Workspace workspace;
};
constexpr size_t kMaxEntries = 256;

Cache& cache() {
  thread_local Cache c;
  return c;
}

Entry* find_entry(Pass pass, const Geometry& g, bool bias) {
  const Key key{int64_t(pass), bias, g.N, g.C, g.H, g.W, g.OC, g.KH, g.KW, g.OH, g.OW, g.G,
                g.s0, g.s1, g.p0, g.p1, g.d0, g.d1};
  Cache& c = cache();
  auto it = c.entries.find(key);
  if (it != c.entries.end()) return it->second.get();
  if (c.entries.size() >= kMaxEntries) c.entries.clear();  // a shape sweep: start over rather than grow
  std::unique_ptr<Entry> e;
  try {
    e = create_entry(pass, g, bias);
  } catch (const dnnl::error&) {
    e = nullptr;
  }
  return c.entries.emplace(key, std::move(e)).first->second.get();
}

// Runs the entry on caller buffers given in port order.
void run_entry(Entry& e, std::initializer_list<void*> buffers) {
  Cache& c = cache();
  dnnl::stream& s = onednn_stream();
  auto buf = buffers.begin();
  int slot = 0;
  for (Port& p : e.ports) {
    p.user.set_data_handle(*buf++);
    if (!p.reordered) continue;
    p.inner.set_data_handle(c.workspace.get(slot++, p.inner.get_desc().get_size()));
    if (!p.output) p.convert.execute(s, p.user, p.inner);
  }
  e.scratch.set_data_handle(c.workspace.get(Workspace::kSlots - 1, std::max<size_t>(e.scratch.get_desc().get_size(), 1)));
  e.prim.execute(s, e.args);
  for (Port& p : e.ports)
    if (p.reordered && p.output) p.convert.execute(s, p.inner, p.user);
  s.wait();
}

void execute(Entry& e, std::initializer_list<void*> buffers) {
  try {
    run_entry(e, buffers);
  } catch (const dnnl::error& err) {
    fail("conv2d", "oneDNN failed: ", err.what());
  }
}

bool onednn_ok(const View& v) { return v.dtype == kFloat && use_onednn(); }

// oneDNN's fast kernels keep channels in blocks of 8/16, so an input with very few channels per group pays for
// the padding (a 1-channel image costs 16 lanes) and for reordering. Measured (AVX-512, batch 32-64): backward
// data with 1-3 input channels runs 3-10x faster on the im2col path (4: 1.4x, 6: even), and so does the forward of a
// single-channel image; depthwise/grouped convolutions and every weight gradient are faster on oneDNN.
bool onednn_suits(Pass pass, const Geometry& g) {
  if (g.G > 1) return true;
  if (pass == Pass::BackwardData) return g.Cg() >= 6;
  if (pass == Pass::Forward) return g.Cg() >= 2;
  return true;
}
#endif

}  // namespace

int conv_cached_primitives() {
#ifdef WICK_HAVE_ONEDNN
  int n = 0;
  for (const auto& kv : cache().entries) n += kv.second != nullptr;
  return n;
#else
  return 0;
#endif
}

void CpuBackend::conv2d(const View& out, const View& input, const View& weight, const View* bias,
                        const ConvParams& p) {
  const Geometry g = geometry(input, weight, out, p);
  if (out.numel() == 0) return;
#ifdef WICK_HAVE_ONEDNN
  if (onednn_ok(input) && g.K() > 0 && onednn_suits(Pass::Forward, g))
    if (Entry* e = find_entry(Pass::Forward, g, bias != nullptr)) {
      if (bias) execute(*e, {input.data, weight.data, bias->data, out.data});
      else execute(*e, {input.data, weight.data, out.data});
      return;
    }
#endif
  dispatch_floating(input.dtype, "conv2d", [&]<class T>() {
    forward_portable<T>(g, static_cast<const T*>(input.data), static_cast<const T*>(weight.data),
                        bias ? static_cast<const T*>(bias->data) : nullptr, static_cast<T*>(out.data));
  });
}

void CpuBackend::conv2d_backward_input(const View& grad_input, const View& grad_out, const View& weight,
                                       const ConvParams& p) {
  const Geometry g = geometry(grad_input, weight, grad_out, p);
  if (grad_input.numel() == 0) return;
#ifdef WICK_HAVE_ONEDNN
  if (onednn_ok(grad_input) && g.OHW() > 0 && g.OCg() > 0 && onednn_suits(Pass::BackwardData, g))
    if (Entry* e = find_entry(Pass::BackwardData, g, false)) {
      execute(*e, {grad_out.data, weight.data, grad_input.data});
      return;
    }
#endif
  dispatch_floating(grad_input.dtype, "conv2d_backward_input", [&]<class T>() {
    backward_input_portable<T>(g, static_cast<const T*>(grad_out.data), static_cast<const T*>(weight.data),
                               static_cast<T*>(grad_input.data));
  });
}

void CpuBackend::conv2d_backward_weight(const View& grad_weight, const View* grad_bias, const View& grad_out,
                                        const View& input, const ConvParams& p) {
  const Geometry g = geometry(input, grad_weight, grad_out, p);
#ifdef WICK_HAVE_ONEDNN
  if (onednn_ok(input) && g.N > 0 && g.OHW() > 0 && grad_weight.numel() > 0 &&
      onednn_suits(Pass::BackwardWeights, g))
    if (Entry* e = find_entry(Pass::BackwardWeights, g, grad_bias != nullptr)) {
      if (grad_bias) execute(*e, {input.data, grad_out.data, grad_weight.data, grad_bias->data});
      else execute(*e, {input.data, grad_out.data, grad_weight.data});
      return;
    }
#endif
  dispatch_floating(input.dtype, "conv2d_backward_weight", [&]<class T>() {
    backward_weight_portable<T>(g, static_cast<const T*>(grad_out.data), static_cast<const T*>(input.data),
                                static_cast<T*>(grad_weight.data),
                                grad_bias ? static_cast<T*>(grad_bias->data) : nullptr);
  });
}

}  // namespace wick::cpu
