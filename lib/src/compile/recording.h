// What one capture of a compiled step saw: every backend primitive it ran, in order, with each view's memory
// named by where it came from (an argument, a block allocated during the capture, memory that existed before,
// or a constant), and the memory blocks' lifetimes. A plan (plan.h) is built from it; two captures in a row
// that record the same thing (same_as) are what makes a plan trustworthy enough to replay.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "backend.h"

namespace wick::detail::compile {

enum class BufferKind : uint8_t {
  Absent,    // an optional view that was not given
  Input,     // the compiled function's argument `id`; `offset` counts from its first element
  Block,     // memory allocated during the capture (block `id`); `offset` counts from the block's start
  External,  // memory that existed before the capture (parameters, optimizer state): `address`, fixed
  Constant,  // host bytes the step carried (a scalar operand on the stack, data written on the host): `id`
};

struct BufferRef {
  BufferKind kind = BufferKind::Absent;
  int32_t id = -1;
  int64_t offset = 0;
  uintptr_t address = 0;
  bool operator==(const BufferRef&) const = default;
};

struct ViewRecord {
  BufferRef buffer;
  ScalarType dtype = ScalarType::Float;
  std::vector<int64_t> sizes, strides;
  bool operator==(const ViewRecord&) const = default;
  int64_t element_bytes() const { return int64_t(element_size(dtype)); }
};

// How a step may be fused (plan.cpp tiles consecutive Rowwise steps over their leading dim together).
enum class StepClass : uint8_t {
  Rowwise,  // fill/copy/unary/binary/where, or a reduction that keeps dim 0: views[0] is the one output
  Random,   // a random fill: its counter is replayed relative to the generator's position
  Guard,    // a value read back to the host: replay reads it again and insists on the captured bytes
  Other,    // anything else, run as one call
};

// A unary or binary step's op (never one with a bool result): what a fused group needs to run as one elementwise
// program (kernels/interface/elementwise_program.h) instead of step by step.
struct ElementwiseCall {
  bool binary = false;
  uint8_t op = 0;  // UnaryOp or BinaryOp
  double p0 = 0, p1 = 0;
};

// Replays the step on `backend` with the views resolved to this call's memory (absent ones have data == nullptr).
using Launch = std::function<void(Backend& backend, const View* views)>;

struct Step {
  DeviceType device = DeviceType::CPU;
  std::string label;  // "binary mul", "conv2d", ...: the plan's printout and profiler scopes
  StepClass kind = StepClass::Other;
  std::vector<ViewRecord> views;
  std::vector<std::byte> params;  // the non-view arguments, encoded: what same_as compares
  Launch launch;
  std::optional<ElementwiseCall> elementwise;
  // A Rowwise reduction's op: a row program (kernels/interface/elementwise_program.h) may hold it.
  std::optional<ReduceOp> row_reduction;
  // Element i of views[0] is computed from element i of each same-shaped input alone (unary, binary, where): the
  // output may be written over an input of the same layout that dies with the step. (Not copy: a copy onto itself
  // is memcpy with overlapping arguments.)
  bool pointwise = false;
  // Random: what to draw, and the counter offset relative to the generator's position when the capture began.
  RandomKind random_kind = RandomKind::Uniform;
  double random_a = 0, random_b = 0;
  uint64_t random_offset = 0;
  // Guard: the bytes the host read during the capture.
  std::vector<std::byte> expected;
};

struct BlockRecord {
  DeviceType device = DeviceType::CPU;
  int device_index = 0;
  size_t nbytes = 0;
  uintptr_t address = 0;  // where it lived during the capture
  int first_step = 0;     // allocated before this step ran
  int end_step = -1;      // freed before this step ran; -1: still alive when the capture ended (it escapes)
};

struct Recording {
  std::vector<Step> steps;
  std::vector<BlockRecord> blocks;
  std::vector<std::vector<std::byte>> constants;
  uint64_t random_advance = 0;  // counters the capture drew from the global generator
  // Why this capture cannot become a plan (empty: it can).
  std::string unreplayable;

  bool same_as(const Recording& other) const;
};

}  // namespace wick::detail::compile
