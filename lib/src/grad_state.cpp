// The calling thread's autograd switches (grad mode, inference mode, anomaly mode, scope label).
#include "wick/detail/record.h"

namespace wick::detail {

GradState& grad_state() {
  thread_local GradState state;
  return state;
}

}  // namespace wick::detail
