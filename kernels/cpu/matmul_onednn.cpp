// One oneDNN matmul primitive per (shape, strides), created once and cached per thread as the convolutions
// are (conv_onednn.cpp): creation costs tens of microseconds, execution of a small product a few.
#include "matmul_onednn.h"

#ifdef WICK_HAVE_ONEDNN
#include <memory>
#include <unordered_map>

#include "onednn.h"
#include "onednn_switch.h"
#include "wick/error.h"
#endif

namespace wick::cpu {

#ifdef WICK_HAVE_ONEDNN
namespace {

using Key = PrimitiveKey<12>;

struct Entry {
  dnnl::matmul prim;
  dnnl::memory src, weights, dst;
};

struct Cache {
  std::unordered_map<Key, std::unique_ptr<Entry>, PrimitiveKeyHash> entries;
};
constexpr size_t kMaxEntries = 256;

// A [B, rows, cols] view's strides as oneDNN wants them: a batch of one has no batch stride of its own.
dnnl::memory::desc desc_of(const View& v, int64_t rows, int64_t cols) {
  const int64_t batch_stride = v.sizes[0] == 1 ? rows * cols : v.strides[0];
  return dnnl::memory::desc({v.sizes[0], rows, cols}, dnnl::memory::data_type::bf16,
                            dnnl::memory::dims{batch_stride, v.strides[1], v.strides[2]});
}

std::unique_ptr<Entry> create_entry(const View& out, const View& a, const View& b) {
  using namespace dnnl;
  const int64_t M = out.sizes[1], N = out.sizes[2], K = a.sizes[2];
  const memory::desc a_md = desc_of(a, M, K), b_md = desc_of(b, K, N), c_md = desc_of(out, M, N);
  const matmul::primitive_desc pd(matmul::desc(a_md, b_md, c_md), onednn_engine());
  auto e = std::make_unique<Entry>();
  e->prim = matmul(pd);
  e->src = memory(a_md, onednn_engine(), DNNL_MEMORY_NONE);
  e->weights = memory(b_md, onednn_engine(), DNNL_MEMORY_NONE);
  e->dst = memory(c_md, onednn_engine(), DNNL_MEMORY_NONE);
  return e;
}

Entry* find_entry(const View& out, const View& a, const View& b) {
  thread_local Cache cache;
  const Key key{out.sizes[0], out.sizes[1], out.sizes[2], a.sizes[2],   a.strides[0],   a.strides[1],
                a.strides[2], b.strides[0], b.strides[1], b.strides[2], out.strides[1], out.strides[2]};
  auto it = cache.entries.find(key);
  if (it != cache.entries.end()) return it->second.get();
  if (cache.entries.size() >= kMaxEntries) cache.entries.clear();  // a shape sweep: start over rather than grow
  std::unique_ptr<Entry> e;
  try {
    e = create_entry(out, a, b);
  } catch (const dnnl::error&) {
    e = nullptr;  // remembered, so a rejected problem goes straight to the caller's other path next time
  }
  return cache.entries.emplace(key, std::move(e)).first->second.get();
}

bool cpu_bf16_isa() {
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
  static const bool has = __builtin_cpu_supports("avx512bf16");
  return has;
#else
  return false;
#endif
}

}  // namespace

bool cpu_has_bf16_dot() { return cpu_bf16_isa() && use_onednn(); }

bool matmul_bf16_onednn(const View& out, const View& a, const View& b) {
  // oneDNN broadcasts a batch of one but not a zero batch stride over several matrices.
  const int64_t B = out.sizes[0];
  if (B > 1 && (a.strides[0] == 0 || b.strides[0] == 0 || out.strides[0] == 0)) return false;
  Entry* e = find_entry(out, a, b);
  if (!e) return false;
  e->src.set_data_handle(a.data);
  e->weights.set_data_handle(b.data);
  e->dst.set_data_handle(out.data);
  try {
    dnnl::stream& s = onednn_stream();
    e->prim.execute(s, {{DNNL_ARG_SRC, e->src}, {DNNL_ARG_WEIGHTS, e->weights}, {DNNL_ARG_DST, e->dst}});
    s.wait();
  } catch (const dnnl::error& err) {
    fail("matmul", "oneDNN failed: ", err.what());
  }
  return true;
}

#else  // built without oneDNN

bool cpu_has_bf16_dot() { return false; }
bool matmul_bf16_onednn(const View&, const View&, const View&) { return false; }

#endif

}  // namespace wick::cpu
