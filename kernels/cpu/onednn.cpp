#include "onednn.h"

#ifdef WICK_HAVE_ONEDNN
namespace wick::cpu {

dnnl::engine& onednn_engine() {
  static dnnl::engine engine(dnnl::engine::kind::cpu, 0);
  return engine;
}

dnnl::stream& onednn_stream() {
  thread_local dnnl::stream stream{onednn_engine()};
  return stream;
}

}  // namespace wick::cpu
#endif
