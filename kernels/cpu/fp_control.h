// The calling thread's floating-point control register, and the bits that make it flush denormals to zero
// (x86: MXCSR's FTZ and DAZ; aarch64: FPCR's FZ). Denormal arithmetic can be 10-100x slower on x86, which in a
// real-time loop turns a rare tiny activation into a latency spike; flushing trades those values for zeros.
#pragma once

#include <cstdint>

#if defined(__x86_64__) || defined(__i386__)
#include <xmmintrin.h>
#endif

namespace wick::cpu {

#if defined(__x86_64__) || defined(__i386__)
inline constexpr bool kCanFlushDenormals = true;
inline constexpr uint64_t kFlushDenormalBits = 0x8040;  // FTZ (bit 15) | DAZ (bit 6)
inline uint64_t fp_control() { return _mm_getcsr(); }
inline void set_fp_control(uint64_t v) { _mm_setcsr(unsigned(v)); }
#elif defined(__aarch64__)
inline constexpr bool kCanFlushDenormals = true;
inline constexpr uint64_t kFlushDenormalBits = uint64_t(1) << 24;  // FZ
inline uint64_t fp_control() {
  uint64_t v;
  __asm__ volatile("mrs %0, fpcr" : "=r"(v));
  return v;
}
inline void set_fp_control(uint64_t v) { __asm__ volatile("msr fpcr, %0" : : "r"(v)); }
#else
inline constexpr bool kCanFlushDenormals = false;
inline constexpr uint64_t kFlushDenormalBits = 0;
inline uint64_t fp_control() { return 0; }
inline void set_fp_control(uint64_t) {}
#endif

// Gives the calling thread `v`'s denormal bits for the scope (thread-pool workers take their caller's).
class DenormalBitsScope {
 public:
  explicit DenormalBitsScope(uint64_t v) : saved_(fp_control()) {
    const uint64_t wanted = (saved_ & ~kFlushDenormalBits) | (v & kFlushDenormalBits);
    if (wanted != saved_) set_fp_control(wanted);
  }
  ~DenormalBitsScope() {
    if (fp_control() != saved_) set_fp_control(saved_);
  }
  DenormalBitsScope(const DenormalBitsScope&) = delete;
  DenormalBitsScope& operator=(const DenormalBitsScope&) = delete;

 private:
  uint64_t saved_;
};

}  // namespace wick::cpu
