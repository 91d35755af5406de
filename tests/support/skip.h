// Skipping a test case that cannot run here. Catch2 2.x has no skip state: a case returns early after a WARN
// containing "skipped" and the reason, asserting nothing, and tools/check (tools/catch2_report.py, with the
// assertion counts tests/main.cpp records) counts it as skipped. A case that asserts nothing without such a
// warning counts as failed.
#pragma once

#include <catch2/catch.hpp>

#include <cstdlib>
#include <string_view>

#include <wick/wick.h>

#include "onednn_switch.h"  // kernels/cpu

// Skips the case unless a CUDA device is present.
#define WICK_REQUIRE_CUDA()                     \
  do {                                          \
    if (!wick::cuda::is_available()) {          \
      WARN("CUDA device not present: skipped"); \
      return;                                   \
    }                                           \
  } while (0)

// Skips a case about the fused kernels themselves while WICK_FUSED_KERNELS=0 switches them off.
#define WICK_REQUIRE_FUSED_KERNELS()                                          \
  do {                                                                        \
    if (!wick::fused_kernels_enabled()) {                                     \
      WARN("fused kernels are switched off (WICK_FUSED_KERNELS=0): skipped"); \
      return;                                                                 \
    }                                                                         \
  } while (0)

// Skips a case about the CPU's oneDNN kernels in a build without oneDNN, or while the fused kernels are off.
#define WICK_REQUIRE_ONEDNN()                    \
  do {                                           \
    WICK_REQUIRE_FUSED_KERNELS();                \
    if (!wick::cpu::onednn_available()) {        \
      WARN("this build has no oneDNN: skipped"); \
      return;                                    \
    }                                            \
  } while (0)

// Skips a case tagged [long] (minutes of training) where WICK_LEAVE_OUT_LONG=1: tools/check sets it under qemu and
// the sanitizers, which multiply those minutes; its native run keeps the case.
#define WICK_SKIP_LONG_WHERE_LEFT_OUT()                                          \
  do {                                                                           \
    if (const char* leave_out = std::getenv("WICK_LEAVE_OUT_LONG");              \
        leave_out != nullptr && std::string_view(leave_out) == "1") {            \
      WARN("a [long] case, left out under an emulator or a sanitizer: skipped"); \
      return;                                                                    \
    }                                                                            \
  } while (0)
