// What every oneDNN primitive of the CPU backend shares: one engine for the process and one stream per
// thread (primitives of two threads never wait on each other). Only in builds with oneDNN.
#pragma once

#ifdef WICK_HAVE_ONEDNN
#include <dnnl.hpp>

namespace wick::cpu {

dnnl::engine& onednn_engine();
dnnl::stream& onednn_stream();  // the calling thread's

}  // namespace wick::cpu
#endif
