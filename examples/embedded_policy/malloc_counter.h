// Counts heap allocations (malloc, calloc, realloc, aligned_alloc, posix_memalign, memalign and so every
// operator new) made by any thread while counting is on. The program that links malloc_counter.cpp replaces the
// C library's allocation functions with forwarding ones, so nothing escapes the count: not wick, not libstdc++.
// glibc only (it forwards to glibc's __libc_* entry points); elsewhere malloc_counter_available() is false.
#pragma once

#include <cstdint>

namespace wick_example {

bool malloc_counter_available();
void start_counting_mallocs();     // resets the count and starts counting
uint64_t stop_counting_mallocs();  // stops counting and returns the allocations since start

}  // namespace wick_example
