// A replayable plan built from a capture: the steps in order, consecutive row-wise steps fused into groups that
// run tile by tile (an intermediate that lives only inside a group never materialises: it gets a tile-sized
// scratch), and every other block allocated during the capture placed by lifetime into one arena. Replay resolves
// each view to this call's memory and makes the captured backend calls again: no allocation, no tape, no dispatch
// through lib/.
#pragma once

#include <memory>
#include <span>
#include <string>
#include <vector>

#include "recording.h"
#include "wick/random.h"
#include "wick/tensor.h"

namespace wick::detail::compile {

class Plan {
 public:
  // The plan of a capture, or nullptr with the reason in *why_not.
  static std::unique_ptr<Plan> build(Recording recording, std::string* why_not);
  ~Plan();

  // Runs the plan on these inputs (the signature the plan was captured with). False, having changed nothing
  // outside its arena, when a value read to the host differs from the capture's (the step would take another
  // path); a difference found after the plan has written outside its arena throws.
  bool replay(std::span<const Tensor> inputs);

  // Addresses the plan reads or writes outside its arena: freeing any of them makes it stale.
  std::vector<uintptr_t> pinned_addresses() const;
  size_t arena_bytes() const { return arena_bytes_; }
  // The most bytes of temporaries (blocks allocated and freed within the step) the eager capture held at once.
  size_t eager_peak_bytes() const { return eager_peak_bytes_; }
  int fused_groups() const;
  std::string describe() const;
  std::string dot() const;

 private:
  Plan() = default;
  struct Placement;
  struct Unit;
  void hoist_narrowing_steps();
  void plan_groups();
  void plan_memory();
  std::vector<int> plan_in_place(const std::vector<int>& begin, const std::vector<int>& end) const;
  void plan_program(Unit& unit);
  std::byte* address_of(const BufferRef& buffer, std::span<const Tensor> inputs);
  void resolve(size_t step, std::span<const Tensor> inputs, const Unit* group, int64_t row0, int64_t rows);
  bool run_program(Unit& unit, std::span<const Tensor> inputs, Backend& backend);
  void run_group(Unit& group, std::span<const Tensor> inputs, Backend& backend);
  bool run_step(size_t step, std::span<const Tensor> inputs, Backend& backend);
  std::string buffer_name(const BufferRef& b) const;

  Recording rec_;
  std::vector<Placement> placement_;      // per block
  std::vector<int64_t> local_row_bytes_;  // per block: bytes per row, where it is tile-local
  std::vector<Unit> units_;
  std::vector<View> views_;                       // per step's views, concatenated: the replay's scratch, no allocation
  std::vector<size_t> first_view_;                // per step: its first entry in views_
  std::vector<std::vector<int64_t>> tile_sizes_;  // per view: its sizes with dim 0 set to a tile's rows
  std::vector<std::byte> guard_buffer_;
  void* arena_ = nullptr;
  size_t arena_bytes_ = 0;
  size_t eager_peak_bytes_ = 0;
  size_t first_side_effect_ = 0;  // the first step that may write outside the arena
  RandomSlice random_base_{};     // this replay's draws, reserved at its first random step
  bool random_reserved_ = false;
};

}  // namespace wick::detail::compile
