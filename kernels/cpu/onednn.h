// What every oneDNN primitive of the CPU backend shares: one engine for the process and one stream per
// thread (primitives of two threads never wait on each other). Only in builds with oneDNN.
#pragma once

#ifdef WICK_HAVE_ONEDNN
#include <array>
#include <cstddef>
#include <cstdint>

#include <dnnl.hpp>

namespace wick::cpu {

dnnl::engine& onednn_engine();
dnnl::stream& onednn_stream();  // the calling thread's

// Cached primitives are keyed by the integers that define them (pass, shapes, flags, dtype): FNV-1a over them.
template <size_t N>
using PrimitiveKey = std::array<int64_t, N>;
struct PrimitiveKeyHash {
  template <size_t N>
  size_t operator()(const PrimitiveKey<N>& key) const {
    uint64_t h = 1469598103934665603ull;
    for (int64_t v : key) h = (h ^ uint64_t(v)) * 1099511628211ull;
    return size_t(h);
  }
};

}  // namespace wick::cpu
#endif
