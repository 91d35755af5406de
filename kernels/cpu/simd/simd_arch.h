// What every per-instruction-set kernel header shares: the target (WICK_SIMD_ARCH) and its vector type, inside
// the per-arch namespace (WICK_SIMD_NAMESPACE). Each simd_<arch>.cpp defines both and is the only file compiled
// with that instruction set's flags.
//
// Everything in these headers lives in that namespace and avoids out-of-line std:: templates (std::vector,
// std::fill, std::min...): the linker merges those across files, and an AVX-512 copy could then run on a CPU
// without it.
#pragma once

#include <xsimd/xsimd.hpp>

namespace wick::cpu {
namespace WICK_SIMD_NAMESPACE {

using Arch = WICK_SIMD_ARCH;
template <class T>
using Vec = xsimd::batch<T, Arch>;

}  // namespace WICK_SIMD_NAMESPACE
}  // namespace wick::cpu
