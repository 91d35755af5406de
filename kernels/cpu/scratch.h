// A thread's scratch buffer, reused across calls: it grows to the largest request and never shrinks, so a kernel's
// temporary rows allocate nothing per call once warm. Each Tag (an empty struct a kernel declares) is its own
// buffer, so that two kernels, or two buffers one kernel holds at once, never hand out the same memory.
#pragma once

#include <cstddef>
#include <vector>

namespace wick::cpu {

template <class T, class Tag>
T* thread_scratch(size_t n) {
  thread_local std::vector<T> buffer;
  if (buffer.size() < n) buffer.resize(n);
  return buffer.data();
}

}  // namespace wick::cpu
