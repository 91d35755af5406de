// Average pooling, forward and backward, on oneDNN primitives (float32), where oneDNN's windows are
// PyTorch's: count_include_pad=false always (both divide by the window's elements inside the input), and
// count_include_pad=true unless a ceil_mode window runs past the right padding (PyTorch then divides by the
// part up to the padding's end, oneDNN by the whole kernel). A ceil_mode output that floor division would
// drop is oneDNN's "right padding" grown to fit.
//
// Max pooling stays on pool.cpp's loops: oneDNN 2.6 skips NaNs where PyTorch propagates them (a 2x2 window
// {NaN, 1, 4, 0} gives 4, not NaN), and its max-pool workspace is an opaque per-window offset, not the flat
// argmax indices max_pool2d_with_indices returns and the backward pass uses.
#include "pool_onednn.h"

#include "onednn_switch.h"

#ifdef WICK_HAVE_ONEDNN
#include <algorithm>
#include <array>
#include <memory>
#include <unordered_map>

#include "onednn.h"
#include "wick/error.h"
#endif

namespace wick::cpu {

#ifdef WICK_HAVE_ONEDNN
namespace {

using dt = dnnl::memory::data_type;
using tag = dnnl::memory::format_tag;

enum class Pass : int64_t { Forward, Backward };

// The pooling of a [N, C, H, W] input to a [N, C, OH, OW] output, as oneDNN describes it. Plain arrays: a call
// that finds its primitive cached allocates nothing.
struct Geometry {
  std::array<int64_t, 4> src, dst;
  std::array<int64_t, 2> kernel, strides, pad_l, pad_r;
  bool include_pad;
};

// The geometry, or false when oneDNN's windows would not be PyTorch's.
bool geometry_of(const View& input, const View& out, const PoolParams& p, Geometry& g) {
  g.src = {input.sizes[0], input.sizes[1], input.sizes[2], input.sizes[3]};
  g.dst = {out.sizes[0], out.sizes[1], out.sizes[2], out.sizes[3]};
  g.include_pad = p.count_include_pad;
  for (int d = 0; d < 2; ++d) {
    const int64_t in = input.sizes[2 + d], o = out.sizes[2 + d], k = p.kernel[d], s = p.stride[d], pad = p.padding[d];
    // The right padding under which floor division gives o outputs: the left padding, unless ceil_mode kept a
    // last window that reaches further.
    const int64_t pad_r = std::max(pad, (o - 1) * s + k - in - pad);
    if (p.dilation[d] != 1 || (g.include_pad && pad_r > pad)) return false;
    g.kernel[d] = k;
    g.strides[d] = s;
    g.pad_l[d] = pad;
    g.pad_r[d] = pad_r;
  }
  return true;
}

template <size_t N>
dnnl::memory::dims dims(const std::array<int64_t, N>& a) {
  return dnnl::memory::dims(a.begin(), a.end());
}

struct Entry {
  dnnl::primitive prim;
  dnnl::memory from, to;  // forward: src -> dst; backward: diff_dst -> diff_src
  int from_arg, to_arg;
};

std::unique_ptr<Entry> create_entry(Pass pass, const Geometry& g) {
  using namespace dnnl;
  const memory::desc src(dims(g.src), dt::f32, tag::nchw), dst(dims(g.dst), dt::f32, tag::nchw);
  const memory::dims strides = dims(g.strides), kernel = dims(g.kernel), pad_l = dims(g.pad_l), pad_r = dims(g.pad_r);
  const algorithm alg = g.include_pad ? algorithm::pooling_avg_include_padding : algorithm::pooling_avg_exclude_padding;
  const memory::dims no_dilation{0, 0};  // oneDNN counts dilation from 0: 0 is a dense window
  const pooling_v2_forward::primitive_desc fwd(
      {prop_kind::forward_training, alg, src, dst, strides, kernel, no_dilation, pad_l, pad_r}, onednn_engine());
  auto e = std::make_unique<Entry>();
  if (pass == Pass::Forward) {
    e->prim = pooling_v2_forward(fwd);
    e->from = memory(src, onednn_engine(), DNNL_MEMORY_NONE);
    e->to = memory(dst, onednn_engine(), DNNL_MEMORY_NONE);
    e->from_arg = DNNL_ARG_SRC;
    e->to_arg = DNNL_ARG_DST;
  } else {
    const pooling_v2_backward::primitive_desc bwd({alg, src, dst, strides, kernel, no_dilation, pad_l, pad_r},
                                                  onednn_engine(), fwd);
    e->prim = pooling_v2_backward(bwd);
    e->from = memory(dst, onednn_engine(), DNNL_MEMORY_NONE);
    e->to = memory(src, onednn_engine(), DNNL_MEMORY_NONE);
    e->from_arg = DNNL_ARG_DIFF_DST;
    e->to_arg = DNNL_ARG_DIFF_SRC;
  }
  return e;
}

constexpr size_t kMaxEntries = 256;

using Cache = std::unordered_map<PrimitiveKey<14>, std::unique_ptr<Entry>, PrimitiveKeyHash>;

// Per thread, like the convolution and normalisation caches; nullptr records a geometry oneDNN refused.
Cache& cache() {
  thread_local Cache entries;
  return entries;
}

Entry* find_entry(Pass pass, const Geometry& g) {
  Cache& entries = cache();
  const PrimitiveKey<14> key{int64_t(pass), g.src[0],   g.src[1],    g.src[2],     g.src[3],
                             g.dst[2],      g.dst[3],   g.kernel[0], g.kernel[1],  g.strides[0],
                             g.strides[1],  g.pad_l[0], g.pad_l[1],  g.include_pad};
  auto it = entries.find(key);
  if (it != entries.end()) return it->second.get();
  if (entries.size() >= kMaxEntries) entries.clear();  // a shape sweep: start over rather than grow
  std::unique_ptr<Entry> e;
  try {
    e = create_entry(pass, g);
  } catch (const dnnl::error&) {
    e = nullptr;
  }
  return entries.emplace(key, std::move(e)).first->second.get();
}

// oneDNN pools plain NCHW data by regrouping it into blocks of 16 channels, which pays off only with enough
// channels on planes that fit the cache. Measured, one AVX-512 thread, forward + backward: 2-3.4x faster than
// the direct loops at 4-64 channels on planes up to 112x112 (64x16x28x28: 1.6 vs 5.4 ms); 1.6-3x slower with
// 1-2 channels (64x1x28x28, 64x2x56x56) and at every channel count on 224x224 planes (8x16x224x224: 77 vs 22 ms).
bool onednn_suits(const View& input) { return input.sizes[1] >= 4 && input.sizes[2] * input.sizes[3] <= 128 * 128; }

bool run(const char* op, Pass pass, const View& input, const View& out, const PoolParams& p, void* from, void* to) {
  if (input.dtype != kFloat || !use_onednn() || !onednn_suits(input)) return false;
  Geometry g;
  if (!geometry_of(input, out, p, g)) return false;
  Entry* e = find_entry(pass, g);
  if (!e) return false;
  e->from.set_data_handle(from);
  e->to.set_data_handle(to);
  try {
    dnnl::stream& s = onednn_stream();
    e->prim.execute(s, {{e->from_arg, e->from}, {e->to_arg, e->to}});
    s.wait();
  } catch (const dnnl::error& err) {
    fail(op, "oneDNN failed: ", err.what());
  }
  return true;
}

}  // namespace

bool avg_pool2d_onednn(const View& out, const View& input, const PoolParams& p) {
  return run("avg_pool2d", Pass::Forward, input, out, p, input.data, out.data);
}

bool avg_pool2d_backward_onednn(const View& grad_input, const View& grad_out, const PoolParams& p) {
  return run("avg_pool2d_backward", Pass::Backward, grad_input, grad_out, p, grad_out.data, grad_input.data);
}

int avg_pool_cached_primitives() {
  int n = 0;
  for (const auto& kv : cache()) n += kv.second != nullptr;
  return n;
}

#else

int avg_pool_cached_primitives() { return 0; }
bool avg_pool2d_onednn(const View&, const View&, const PoolParams&) { return false; }
bool avg_pool2d_backward_onednn(const View&, const View&, const PoolParams&) { return false; }

#endif

}  // namespace wick::cpu
