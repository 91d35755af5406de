// 2-D and 3-D convolution and their two backward passes on oneDNN primitives (float32, and bfloat16 on CPUs with bf16
// dot-product instructions, accumulating in float32): one primitive per geometry and dtype, created once and
// cached per thread, so small repeated shapes never pay oneDNN's creation cost again.
#include "conv_onednn.h"

#include "conv_geometry.h"
#include "matmul_onednn.h"

#ifdef WICK_HAVE_ONEDNN
#include <array>
#include <cstdlib>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "onednn.h"
#include "onednn_switch.h"
#include "wick/error.h"
#endif

namespace wick::cpu {

#ifdef WICK_HAVE_ONEDNN
namespace {

enum class Pass : int64_t { Forward, BackwardData, BackwardWeights };

using Key = PrimitiveKey<25>;

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
      WICK_CHECK(b.data != nullptr, "convolution", "out of memory for a ", (unsigned long)bytes, "-byte workspace");
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

Descs descs(const Geometry& g, ScalarType dtype) {
  using tag = dnnl::memory::format_tag;
  // Every operand in the tensors' dtype (bias and weight gradients too, as lib/ allocates them).
  const auto t = dtype == kBFloat16 ? dnnl::memory::data_type::bf16 : dnnl::memory::data_type::f32;
  Descs d;
  // Right padding that makes oneDNN's output size equal ours (negative where rows are left unused).
  auto pad_r = [](int64_t out, int64_t s, int64_t in, int64_t k, int64_t dil, int64_t pad) {
    return (out - 1) * s - in + (k - 1) * dil + 1 - pad;
  };
  dnnl::memory::dims src{g.N, g.C}, dst{g.N, g.OC}, wei{g.OC, g.Cg()};
  if (g.G > 1) wei = {g.G, g.OCg(), g.Cg()};
  if (g.volumetric) {
    src.push_back(g.D);
    dst.push_back(g.OD);
    wei.push_back(g.KD);
    d.strides.push_back(g.sd);
    d.dilates.push_back(g.dd - 1);
    d.pad_l.push_back(g.pd);
    d.pad_r.push_back(pad_r(g.OD, g.sd, g.D, g.KD, g.dd, g.pd));
  }
  src.insert(src.end(), {g.H, g.W});
  dst.insert(dst.end(), {g.OH, g.OW});
  wei.insert(wei.end(), {g.KH, g.KW});
  d.strides.insert(d.strides.end(), {g.s0, g.s1});
  d.dilates.insert(d.dilates.end(), {g.d0 - 1, g.d1 - 1});
  d.pad_l.insert(d.pad_l.end(), {g.p0, g.p1});
  d.pad_r.insert(d.pad_r.end(), {pad_r(g.OH, g.s0, g.H, g.KH, g.d0, g.p0), pad_r(g.OW, g.s1, g.W, g.KW, g.d1, g.p1)});
  const tag plain = g.volumetric ? tag::ncdhw : tag::nchw;
  const tag plain_wei = g.volumetric ? (g.G == 1 ? tag::oidhw : tag::goidhw) : (g.G == 1 ? tag::oihw : tag::goihw);
  d.src = {src, t, plain};
  d.dst = {dst, t, plain};
  d.wei = {wei, t, plain_wei};
  d.bias = {{g.OC}, t, tag::x};
  d.any_src = {src, t, tag::any};
  d.any_dst = {dst, t, tag::any};
  d.any_wei = {wei, t, tag::any};
  return d;
}

dnnl::convolution_forward::primitive_desc forward_pd(const Descs& d, bool bias, const dnnl::primitive_attr& attr) {
  using namespace dnnl;
  const auto desc =
      bias ? convolution_forward::desc(prop_kind::forward_training, algorithm::convolution_direct, d.any_src, d.any_wei,
                                       d.bias, d.any_dst, d.strides, d.dilates, d.pad_l, d.pad_r)
           : convolution_forward::desc(prop_kind::forward_training, algorithm::convolution_direct, d.any_src, d.any_wei,
                                       d.any_dst, d.strides, d.dilates, d.pad_l, d.pad_r);
  return convolution_forward::primitive_desc(desc, attr, onednn_engine());
}

// Whether a bfloat16 primitive runs on bf16 dot-product kernels. Where oneDNN has none for a geometry it falls back
// to a GEMM-based or reference implementation that converts inside: LeNet-5's first convolution's weight gradient (one
// input channel) took 4x the float32 time that way (2026-12-07, oneDNN 2.6). The caller widens to float32 instead.
bool runs_bf16_kernels(const dnnl::primitive_desc_base& pd) {
  const std::string impl = pd.impl_info_str();
  return impl.find("gemm") == std::string::npos && impl.find("ref") == std::string::npos;
}

std::unique_ptr<Entry> create_entry(Pass pass, const Geometry& g, bool bias, ScalarType dtype) {
  using namespace dnnl;
  const Descs d = descs(g, dtype);
  primitive_attr attr;
  attr.set_scratchpad_mode(scratchpad_mode::user);  // scratch from the thread's workspace
  auto e = std::make_unique<Entry>();
  const auto fwd = forward_pd(d, bias, attr);
  memory::desc scratch_md;
  const bool bf16 = dtype == kBFloat16;
  if (pass == Pass::Forward) {
    if (bf16 && !runs_bf16_kernels(fwd)) return nullptr;
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
    if (bf16 && !runs_bf16_kernels(pd)) return nullptr;
    e->prim = convolution_backward_data(pd);
    e->ports.emplace_back(DNNL_ARG_DIFF_DST, false, d.dst, pd.diff_dst_desc());
    e->ports.emplace_back(DNNL_ARG_WEIGHTS, false, d.wei, pd.weights_desc());
    e->ports.emplace_back(DNNL_ARG_DIFF_SRC, true, d.src, pd.diff_src_desc());
    scratch_md = pd.scratchpad_desc();
  } else {
    const auto desc =
        bias ? convolution_backward_weights::desc(algorithm::convolution_direct, d.any_src, d.any_wei, d.bias,
                                                  d.any_dst, d.strides, d.dilates, d.pad_l, d.pad_r)
             : convolution_backward_weights::desc(algorithm::convolution_direct, d.any_src, d.any_wei, d.any_dst,
                                                  d.strides, d.dilates, d.pad_l, d.pad_r);
    const convolution_backward_weights::primitive_desc pd(desc, attr, onednn_engine(), fwd);
    if (bf16 && !runs_bf16_kernels(pd)) return nullptr;
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

Entry* find_entry(Pass pass, const Geometry& g, bool bias, ScalarType dtype) {
  const Key key{int64_t(pass), bias, g.N,  g.C,  g.H,  g.W, g.OC, g.KH, g.KW, g.OH, g.OW, g.G,           g.s0,
                g.s1,          g.p0, g.p1, g.d0, g.d1, g.D, g.KD, g.OD, g.sd, g.pd, g.dd, int64_t(dtype)};
  Cache& c = cache();
  auto it = c.entries.find(key);
  if (it != c.entries.end()) return it->second.get();
  if (c.entries.size() >= kMaxEntries) c.entries.clear();  // a shape sweep: start over rather than grow
  std::unique_ptr<Entry> e;
  try {
    e = create_entry(pass, g, bias, dtype);
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
  e.scratch.set_data_handle(
      c.workspace.get(Workspace::kSlots - 1, std::max<size_t>(e.scratch.get_desc().get_size(), 1)));
  e.prim.execute(s, e.args);
  for (Port& p : e.ports)
    if (p.reordered && p.output) p.convert.execute(s, p.inner, p.user);
  s.wait();
}

// `g` names the op in an error: conv2d or conv3d.
void execute(Entry& e, const Geometry& g, std::initializer_list<void*> buffers) {
  try {
    run_entry(e, buffers);
  } catch (const dnnl::error& err) {
    fail(g.volumetric ? "conv3d" : "conv2d", "oneDNN failed: ", err.what());
  }
}

bool onednn_ok(const View& v) {
  return (v.dtype == kFloat && use_onednn()) || (v.dtype == kBFloat16 && cpu_has_bf16_dot());
}

// oneDNN's fast kernels keep channels in blocks of 8/16, so an input with very few channels per group pays for
// the padding (a 1-channel image costs 16 lanes) and for reordering. Measured (AVX-512, batch 32-64): backward
// data with 1-3 input channels runs 3-10x faster on the im2col path (4: 1.4x, 6: even), and so does the forward of a
// single-channel image; depthwise/grouped convolutions and every weight gradient are faster on oneDNN.
// (Measured in float32; bfloat16 always takes oneDNN, whose alternative is widening to float32.)
bool onednn_suits(Pass pass, const Geometry& g, ScalarType dtype) {
  if (g.G > 1 || dtype == kBFloat16) return true;
  if (pass == Pass::BackwardData) return g.Cg() >= 6;
  if (pass == Pass::Forward) return g.Cg() >= 2;
  return true;
}

// The three passes on a cached primitive, given a geometry oneDNN suits; false where it rejected the geometry.
bool run_forward(const Geometry& g, const View& out, const View& input, const View& weight, const View* bias) {
  Entry* e = find_entry(Pass::Forward, g, bias != nullptr, input.dtype);
  if (!e) return false;
  if (bias)
    execute(*e, g, {input.data, weight.data, bias->data, out.data});
  else
    execute(*e, g, {input.data, weight.data, out.data});
  return true;
}

bool run_backward_input(const Geometry& g, const View& grad_input, const View& grad_out, const View& weight) {
  Entry* e = find_entry(Pass::BackwardData, g, false, grad_input.dtype);
  if (!e) return false;
  execute(*e, g, {grad_out.data, weight.data, grad_input.data});
  return true;
}

bool run_backward_weight(const Geometry& g, const View& grad_weight, const View* grad_bias, const View& grad_out,
                         const View& input) {
  Entry* e = find_entry(Pass::BackwardWeights, g, grad_bias != nullptr, input.dtype);
  if (!e) return false;
  if (grad_bias)
    execute(*e, g, {input.data, grad_out.data, grad_weight.data, grad_bias->data});
  else
    execute(*e, g, {input.data, grad_out.data, grad_weight.data});
  return true;
}

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

bool conv2d_onednn(const View& out, const View& input, const View& weight, const View* bias, const ConvParams& p) {
  const Geometry g = geometry(input, weight, out, p);
  if (!onednn_ok(input) || g.K() == 0 || !onednn_suits(Pass::Forward, g, input.dtype)) return false;
  return run_forward(g, out, input, weight, bias);
}

bool conv2d_backward_input_onednn(const View& grad_input, const View& grad_out, const View& weight,
                                  const ConvParams& p) {
  const Geometry g = geometry(grad_input, weight, grad_out, p);
  if (!onednn_ok(grad_input) || g.OHW() == 0 || g.OCg() == 0 || !onednn_suits(Pass::BackwardData, g, grad_input.dtype))
    return false;
  return run_backward_input(g, grad_input, grad_out, weight);
}

bool conv2d_backward_weight_onednn(const View& grad_weight, const View* grad_bias, const View& grad_out,
                                   const View& input, const ConvParams& p) {
  const Geometry g = geometry(input, grad_weight, grad_out, p);
  if (!onednn_ok(input) || g.N == 0 || g.OHW() == 0 || grad_weight.numel() == 0 ||
      !onednn_suits(Pass::BackwardWeights, g, input.dtype))
    return false;
  return run_backward_weight(g, grad_weight, grad_bias, grad_out, input);
}

// 3-D: always oneDNN where it takes the geometry (lib/'s alternative folds depth into 2-D convolutions).
bool conv3d_onednn(const View& out, const View& input, const View& weight, const View* bias, const ConvParams& p) {
  if (!onednn_ok(input) || out.numel() == 0 || weight.numel() == 0) return false;
  return run_forward(geometry3d(input, weight, out, p), out, input, weight, bias);
}

bool conv3d_backward_input_onednn(const View& grad_input, const View& grad_out, const View& weight,
                                  const ConvParams& p) {
  if (!onednn_ok(grad_input) || grad_input.numel() == 0 || grad_out.numel() == 0 || weight.numel() == 0) return false;
  return run_backward_input(geometry3d(grad_input, weight, grad_out, p), grad_input, grad_out, weight);
}

bool conv3d_backward_weight_onednn(const View& grad_weight, const View* grad_bias, const View& grad_out,
                                   const View& input, const ConvParams& p) {
  if (!onednn_ok(input) || grad_out.numel() == 0 || grad_weight.numel() == 0) return false;
  return run_backward_weight(geometry3d(input, grad_weight, grad_out, p), grad_weight, grad_bias, grad_out, input);
}

#else  // built without oneDNN: conv.cpp's portable path runs everything

bool conv2d_onednn(const View&, const View&, const View&, const View*, const ConvParams&) { return false; }
bool conv2d_backward_input_onednn(const View&, const View&, const View&, const ConvParams&) { return false; }
bool conv2d_backward_weight_onednn(const View&, const View*, const View&, const View&, const ConvParams&) {
  return false;
}
bool conv3d_onednn(const View&, const View&, const View&, const View*, const ConvParams&) { return false; }
bool conv3d_backward_input_onednn(const View&, const View&, const View&, const ConvParams&) { return false; }
bool conv3d_backward_weight_onednn(const View&, const View*, const View&, const View&, const ConvParams&) {
  return false;
}
int conv_cached_primitives() { return 0; }

#endif

}  // namespace wick::cpu
