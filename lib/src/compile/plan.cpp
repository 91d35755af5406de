// Building a plan (step order, fusion groups, memory placement) and replaying it.
//
// Order. The plan runs the captured steps in their order but one: an elementwise step that reads a block for the
// last time and writes a narrower one (relu's backward tests its saved float output, `out > 0`, into bools) moves
// up to just after the last earlier step that touches what it reads or writes. It computes the same bits there,
// since nothing it reads changes in between, and the wide block dies at its last forward use instead of being
// carried into backward: the bool mask is what crosses, a quarter of the bytes.
//
// Fusion. A run of consecutive row-wise steps (elementwise ops, casts, fills, reductions that keep dim 0) whose
// views all have the same leading size R is a group. A group runs tile by tile: rows [r, r + t) of every step, in
// step order, before the next tile; each call is the same backend primitive on a view shortened to the tile, so a
// fused result equals the eager one bit for bit (a reduction over a row sees the whole row either way). Two rules
// keep tiling sound: memory written inside a group is addressed row-aligned by all of the group's views of it
// (same offset, same non-zero dim-0 stride), and a group writes no argument, and outside memory (a parameter's or
// an optimizer buffer's in-place update) only where no other view in the group can overlap it: outside memory is
// known by its views' addresses, so a written view's bytes must not meet any other address's, and no argument
// (whose memory a replay's caller chooses) may be read next to it. An SGD step's momentum and parameter updates
// then run as one pass over each parameter instead of four. A block that the whole plan touches only inside one group,
// laid out contiguously, is tile-local: it lives in a tile-sized scratch and never materialises.
//
// Elementwise programs. A group whose steps are all unary or binary ops of one float dtype, over operands that are
// dense over the group's elements or one value for all, also runs as one backend call: an elementwise program
// (kernels/interface/elementwise_program.h) in which each tile-local block is a chunk-sized register. The backend
// then takes the whole chain a chunk of a few hundred elements at a time, in the L1 cache, with no per-op call
// through the plan; when it declines (its evaluator does not take that dtype or op), the group runs tile by tile.
// A group that does not have that form but whose views all have rows of C elements or of one, dense, one value
// per row or one for all, reductions over the rows included, is offered as a row program instead (a LayerNorm:
// the backend takes the whole chain one row at a time).
//
// Memory. Every other block the capture allocated and freed is given an arena offset by lifetime (greedy,
// largest first, lowest offset that overlaps no placed block alive at the same time). A block lives from the first
// step that uses it to the last, not as long as eager execution held it; one a group touches is alive for the whole
// group, since the group's tiles interleave its steps; and an elementwise step whose input dies with it writes its
// output over that input, as an in-place op. Blocks still alive when the capture ended (the result, new gradients,
// new optimizer state) stay where they are: the tensors holding them outlive the call.
#include "plan.h"

#include <algorithm>
#include <array>
#include <cstring>
#include <map>
#include <numeric>
#include <sstream>

#include "backend_registry.h"
#include "elementwise_program.h"
#include "wick/error.h"
#include "wick/memory_stats.h"
#include "wick/profiler.h"
#include "wick/random.h"
#include "wick/shape.h"

namespace wick::detail::compile {
namespace {

constexpr size_t kAlignment = 64;
// Bytes of the widest operand one tile covers: a group's tile of all its operands then stays in the L2 cache.
constexpr int64_t kTileBytes = 32 << 10;
constexpr int64_t kParallelTileBytes = 512 << 10;
constexpr int64_t kLaneGrid = 64;

size_t align_up(size_t n) { return (n + kAlignment - 1) / kAlignment * kAlignment; }

bool is_contiguous(const ViewRecord& v) {
  return View{nullptr, v.dtype, int(v.sizes.size()), v.sizes.data(), v.strides.data()}.is_contiguous();
}

// Steps whose only output is views[0]: their other views are read. Any other non-row-wise step is assumed to
// write every view it names (batch_norm's running statistics, a scatter's target).
bool writes_only_first(const Step& s) {
  static const char* const kPure[] = {"matmul",
                                      "softmax",
                                      "log_softmax",
                                      "softmax_backward",
                                      "index_select",
                                      "gather",
                                      "conv2d",
                                      "conv3d",
                                      "conv2d_backward_input",
                                      "conv3d_backward_input",
                                      "avg_pool2d",
                                      "avg_pool2d_backward",
                                      "linear_int8",
                                      "upload constant"};
  if (s.kind != StepClass::Other) return true;
  if (s.label.rfind("scan ", 0) == 0) return true;
  for (const char* name : kPure)
    if (s.label == name) return true;
  return false;
}

struct BufferKey {
  BufferKind kind;
  int32_t id;
  uintptr_t address;
  bool operator<(const BufferKey& o) const { return std::tie(kind, id, address) < std::tie(o.kind, o.id, o.address); }
};
BufferKey key_of(const BufferRef& b) {
  return {b.kind, b.kind == BufferKind::External ? -1 : b.id, b.kind == BufferKind::External ? b.address : 0};
}

// The bytes a view spans, [first, past the last), from its address: for outside memory, where views of one
// storage are told apart only by address.
std::pair<uintptr_t, uintptr_t> span_of(const ViewRecord& v) {
  int64_t low = 0, high = 0;
  for (size_t d = 0; d < v.sizes.size(); ++d) {
    if (v.sizes[d] == 0) return {v.buffer.address, v.buffer.address};
    const int64_t reach = (v.sizes[d] - 1) * v.strides[d];
    (reach < 0 ? low : high) += reach;
  }
  const int64_t e = v.element_bytes();
  return {v.buffer.address + uintptr_t(low * e), v.buffer.address + uintptr_t((high + 1) * e)};
}

}  // namespace

struct Plan::Placement {
  enum Kind : uint8_t { Unused, Arena, Pinned, Local } kind = Unused;
  size_t offset = 0;  // Arena and Local: from the arena's start
  int group = -1;     // the group that touches it (-1: none; -2: more than one, or a step outside any group)
};

struct Plan::Unit {
  size_t first = 0, last = 0;  // steps [first, last)
  bool fused = false;
  int64_t rows = 0, tile_rows = 0;
  std::string label;  // fused groups: the profiler scope's name
  // A fused group of unary and binary ops over dense or single-value operands of one dtype also has the form of
  // one elementwise program: its instructions (memory operands' addresses filled in at each replay), per
  // instruction the buffers of its out, a and b operands (Absent where the operand is a register or unused), and
  // how many registers its tile-local blocks need. Empty when the group has no such form or the backend declined it.
  std::vector<ElementwiseProgram::Instruction> program;
  std::vector<std::array<BufferRef, 3>> program_buffers;
  int program_registers = 0;
  int64_t program_numel = 0;
  int64_t program_row_length = 0;  // > 0: a row program
  ScalarType program_dtype = ScalarType::Float;
};

Plan::~Plan() {
  if (!arena_) return;
  backend_for(kCPU).deallocate(arena_, arena_bytes_, 0);
  wick::detail::count_tensor_memory(kCPU, -int64_t(arena_bytes_));
}

std::unique_ptr<Plan> Plan::build(Recording recording, std::string* why_not) {
  for (const Step& s : recording.steps) {
    if (s.device != DeviceType::CPU) {
      *why_not = "the step runs on " + Device(s.device).str() +
                 ": replaying it needs a CUDA graph, which this build of wick::compile does not make yet";
      return nullptr;
    }
  }
  std::unique_ptr<Plan> plan(new Plan);
  plan->rec_ = std::move(recording);
  plan->hoist_narrowing_steps();
  plan->plan_groups();
  plan->plan_memory();
  for (Unit& unit : plan->units_)
    if (unit.fused) plan->plan_program(unit);

  // The replay's views, made once: each points at its record's sizes and strides; replay fills in data.
  size_t count = 0;
  for (const Step& s : plan->rec_.steps) {
    plan->first_view_.push_back(count);
    count += s.views.size();
  }
  plan->views_.resize(count);
  plan->tile_sizes_.resize(count);
  size_t guard_bytes = 0, g = 0;
  for (const Step& s : plan->rec_.steps) {
    guard_bytes = std::max(guard_bytes, s.expected.size());
    for (const ViewRecord& v : s.views) {
      View& view = plan->views_[g];
      view.dtype = v.dtype;
      view.ndim = int(v.sizes.size());
      plan->tile_sizes_[g] = v.sizes;
      view.sizes = v.sizes.data();
      view.strides = v.strides.data();
      ++g;
    }
  }
  plan->guard_buffer_.resize(guard_bytes);

  // The first step that may write memory the arena does not own: a failed guard before it changes nothing.
  plan->first_side_effect_ = plan->rec_.steps.size();
  for (size_t i = 0; i < plan->rec_.steps.size() && plan->first_side_effect_ == plan->rec_.steps.size(); ++i) {
    const Step& s = plan->rec_.steps[i];
    const size_t written = s.kind == StepClass::Guard ? 0 : writes_only_first(s) ? 1 : s.views.size();
    for (size_t v = 0; v < written; ++v) {
      const BufferRef& b = s.views[v].buffer;
      if (b.kind == BufferKind::Input || b.kind == BufferKind::External ||
          (b.kind == BufferKind::Block && plan->placement_[size_t(b.id)].kind == Placement::Pinned))
        plan->first_side_effect_ = i;
    }
  }
  return plan;
}

// See "Order" above. Candidates are taken in order, each moved as far up as it may go.
void Plan::hoist_narrowing_steps() {
  auto& steps = rec_.steps;
  std::vector<int> last_use;  // per block, the last step that names it
  auto find_last_uses = [&] {
    last_use.assign(rec_.blocks.size(), -1);
    for (size_t s = 0; s < steps.size(); ++s)
      for (const ViewRecord& v : steps[s].views)
        if (v.buffer.kind == BufferKind::Block) last_use[size_t(v.buffer.id)] = int(s);
  };
  find_last_uses();
  auto pinned = [&](const BufferRef& r) { return rec_.blocks[size_t(r.id)].end_step < 0; };

  for (size_t j = 0; j < steps.size(); ++j) {
    const Step& step = steps[j];
    if (step.kind != StepClass::Rowwise || !step.pointwise) continue;
    const BufferRef& out = step.views[0].buffer;
    if (out.kind != BufferKind::Block || pinned(out)) continue;
    // The wide block this step reads for the last time, if its output is narrower.
    int dying = -1;
    for (size_t k = 1; k < step.views.size(); ++k) {
      const BufferRef& in = step.views[k].buffer;
      if (in.kind == BufferKind::Block && in.id != out.id && !pinned(in) && last_use[size_t(in.id)] == int(j) &&
          rec_.blocks[size_t(in.id)].nbytes > rec_.blocks[size_t(out.id)].nbytes)
        dying = in.id;
    }
    if (dying < 0) continue;
    // Up to just after the nearest earlier step that names its output (none should: it is fresh), names the dying
    // block, or writes anything else it reads (any argument or outside memory, when it reads one: views of those
    // may overlap in ways their records do not show).
    size_t to = j;
    while (to > 0) {
      const Step& before = steps[to - 1];
      const size_t written = before.kind == StepClass::Guard ? 0 : writes_only_first(before) ? 1 : before.views.size();
      bool conflict = false;
      for (size_t w = 0; w < before.views.size() && !conflict; ++w) {
        const BufferRef& b = before.views[w].buffer;
        if (b.kind == BufferKind::Block && (b.id == out.id || b.id == dying)) conflict = true;
        if (w >= written || b.kind == BufferKind::Absent || b.kind == BufferKind::Constant) continue;
        for (size_t k = 1; k < step.views.size() && !conflict; ++k) {
          const BufferRef& in = step.views[k].buffer;
          conflict = b.kind == BufferKind::Block ? in.kind == BufferKind::Block && in.id == b.id
                                                 : in.kind == BufferKind::Input || in.kind == BufferKind::External;
        }
      }
      if (conflict) break;
      --to;
    }
    if (to == j) continue;
    std::rotate(steps.begin() + std::ptrdiff_t(to), steps.begin() + std::ptrdiff_t(j),
                steps.begin() + std::ptrdiff_t(j) + 1);
    find_last_uses();
  }
}

void Plan::plan_groups() {
  const auto& steps = rec_.steps;
  placement_.assign(rec_.blocks.size(), Placement{});
  auto rows_of = [](const Step& s) -> int64_t {
    if (s.kind != StepClass::Rowwise || s.views.empty()) return 0;
    const int64_t r = s.views[0].sizes.empty() ? 0 : s.views[0].sizes[0];
    for (const ViewRecord& v : s.views)
      if (v.sizes.empty() || v.sizes[0] != r) return 0;
    return r;
  };
  auto writes_argument_or_constant = [](const Step& s) {
    const BufferKind k = s.views[0].buffer.kind;
    return k != BufferKind::Block && k != BufferKind::External;
  };

  // Growing a group: every buffer's (offset, dim-0 stride in bytes) as first seen, the buffers the group writes,
  // and those seen with two layouts. A written buffer must have one layout, and advance with the rows. Outside
  // memory also keeps the bytes its views span, to find two addresses in one parameter's storage.
  using Layout = std::pair<int64_t, int64_t>;
  using Span = std::pair<uintptr_t, uintptr_t>;  // [first byte, past the last)
  struct GroupState {
    std::map<BufferKey, Layout> seen;
    std::map<BufferKey, bool> written, ragged;
    std::map<BufferKey, Span> outside;
    bool reads_argument = false;
    bool admit(const Step& s) {
      const ViewRecord& out = s.views[0];
      written[key_of(out.buffer)] = true;
      for (const ViewRecord& v : s.views) {
        if (v.buffer.kind == BufferKind::Absent || v.buffer.kind == BufferKind::Constant) continue;
        const Layout here{v.buffer.offset, v.strides[0] * v.element_bytes()};
        auto [it, fresh] = seen.emplace(key_of(v.buffer), here);
        if (!fresh && it->second != here) ragged[key_of(v.buffer)] = true;
        if (v.buffer.kind == BufferKind::Input) reads_argument = true;
        if (v.buffer.kind == BufferKind::External) {
          const Span bytes = span_of(v);
          auto [at, first] = outside.emplace(key_of(v.buffer), bytes);
          if (!first) at->second = {std::min(at->second.first, bytes.first), std::max(at->second.second, bytes.second)};
        }
      }
      for (const auto& [k, w] : written) {
        if (ragged.count(k) || seen.at(k).second == 0) return false;
        if (k.kind != BufferKind::External) continue;
        if (reads_argument) return false;
        const Span mine = outside.at(k);
        for (const auto& [other, theirs] : outside)
          if (other.address != k.address && theirs.first < mine.second && mine.first < theirs.second) return false;
      }
      return true;
    }
  };

  size_t i = 0;
  while (i < steps.size()) {
    Unit unit;
    unit.first = i;
    const int64_t rows = rows_of(steps[i]);
    size_t end = i + 1;
    if (rows > 1 && !writes_argument_or_constant(steps[i])) {
      GroupState state;
      if (state.admit(steps[i])) {
        while (end < steps.size() && rows_of(steps[end]) == rows && !writes_argument_or_constant(steps[end])) {
          GroupState trial = state;
          if (!trial.admit(steps[end])) break;
          state = std::move(trial);
          ++end;
        }
      }
      if (end - i >= 2) {
        unit.fused = true;
        unit.rows = rows;
      } else {
        end = i + 1;
      }
    }
    unit.last = end;
    units_.push_back(std::move(unit));
    i = end;
  }

  // Which group touches each block; a block touched only by one group, contiguous and whole, is tile-local.
  std::vector<bool> local_ok(rec_.blocks.size(), true);
  std::vector<int64_t> row_bytes(rec_.blocks.size(), 0);
  for (size_t u = 0; u < units_.size(); ++u) {
    const Unit& unit = units_[u];
    for (size_t s = unit.first; s < unit.last; ++s) {
      for (const ViewRecord& v : rec_.steps[s].views) {
        if (v.buffer.kind != BufferKind::Block) continue;
        const size_t b = size_t(v.buffer.id);
        Placement& p = placement_[b];
        const int here = unit.fused ? int(u) : -2;
        p.group = p.group == -1 ? here : (p.group == here ? here : -2);
        const int64_t rb = v.strides.empty() ? 0 : v.strides[0] * v.element_bytes();
        if (v.buffer.offset != 0 || !is_contiguous(v) || v.sizes.empty() || (row_bytes[b] != 0 && row_bytes[b] != rb) ||
            rb <= 0 || int64_t(rec_.blocks[b].nbytes) < rb * v.sizes[0])
          local_ok[b] = false;
        row_bytes[b] = rb;
      }
    }
  }
  for (size_t b = 0; b < rec_.blocks.size(); ++b) {
    Placement& p = placement_[b];
    const BlockRecord& block = rec_.blocks[b];
    if (block.end_step < 0) {
      p.kind = Placement::Pinned;
    } else if (p.group == -1) {
      p.kind = Placement::Unused;
    } else if (p.group >= 0 && local_ok[b]) {
      p.kind = Placement::Local;
    } else {
      p.kind = Placement::Arena;
    }
  }
  // Tile height: the widest row of the group's operands fills about kTileBytes on one thread; with more, a tile is
  // large enough for the backend to split between its threads (it splits elementwise work of 64K elements and
  // up). Tiles start on a multiple of kLaneGrid elements of every view, where the eager call's vector lanes fall
  // too: some vector math rounds an element differently in another lane.
  const int64_t threads = std::max(1, backend_for(kCPU).get_num_threads());
  for (Unit& unit : units_) {
    if (!unit.fused) continue;
    int64_t widest = 1, grid = 1;
    std::ostringstream label;
    label << "compiled group:";
    for (size_t s = unit.first; s < unit.last; ++s) {
      label << ' ' << rec_.steps[s].label;
      for (const ViewRecord& v : rec_.steps[s].views) {
        int64_t elements = 1;
        for (size_t d = 1; d < v.sizes.size(); ++d) elements *= v.sizes[d];
        widest = std::max(widest, elements * v.element_bytes());
        grid = std::max(grid, kLaneGrid / std::gcd(elements, kLaneGrid));
      }
    }
    const int64_t tile_bytes = threads > 1 ? kParallelTileBytes : kTileBytes;
    const int64_t rows = std::max<int64_t>(tile_bytes / widest / grid, 1) * grid;
    unit.tile_rows = std::min(rows, unit.rows);
    unit.label = label.str();
  }
  local_row_bytes_ = std::move(row_bytes);
}

void Plan::plan_program(Unit& unit) {
  using Program = ElementwiseProgram;
  const ViewRecord& first_out = rec_.steps[unit.first].views[0];
  const ScalarType dtype = first_out.dtype;
  if (unit.last - unit.first > size_t(Program::kMaxInstructions)) return;

  // Flat: every view dense over the group's elements or one value for all. Rows (when the flat form fails): every
  // view's row (its elements past dim 0) has the group's row length C, dense, or one value per row, or one value
  // for all; reductions that keep only dim 0 may be steps too.
  enum class Form { Dense, PerRow, Single, Unfit };
  int64_t numel = product(first_out.sizes), row_length = 0;
  auto row_elements = [](const ViewRecord& v) { return v.sizes.empty() ? 1 : product(v.sizes) / v.sizes[0]; };
  auto form_of = [&](const ViewRecord& v) {
    if (v.dtype != dtype) return Form::Unfit;
    const bool single = std::all_of(v.strides.begin(), v.strides.end(), [](int64_t st) { return st == 0; });
    if (!row_length)
      return product(v.sizes) != numel ? Form::Unfit
             : single                  ? Form::Single
             : is_contiguous(v)        ? Form::Dense
                                       : Form::Unfit;
    const int64_t c = row_elements(v);
    if (c != 1 && c != row_length) return Form::Unfit;
    if (single) return Form::Single;
    if (c == row_length && is_contiguous(v)) return Form::Dense;
    const bool along_row_zero = std::all_of(v.strides.begin() + 1, v.strides.end(), [](int64_t st) { return st == 0; });
    return v.strides[0] == 1 && (c == 1 || along_row_zero) ? Form::PerRow : Form::Unfit;
  };
  auto fits = [&] {
    for (size_t i = unit.first; i < unit.last; ++i) {
      const Step& s = rec_.steps[i];
      const bool reduce = row_length && s.row_reduction && s.views.size() == 2;
      if (!reduce && (!s.elementwise || s.views.size() != (s.elementwise->binary ? 3u : 2u))) return false;
      for (const ViewRecord& v : s.views)
        if (form_of(v) == Form::Unfit) return false;
    }
    return true;
  };
  if (!fits()) {
    for (size_t i = unit.first; i < unit.last; ++i)
      for (const ViewRecord& v : rec_.steps[i].views)
        if (!v.sizes.empty()) row_length = std::max(row_length, row_elements(v));
    numel = unit.rows * row_length;
    if (row_length <= 1 || !fits()) return;
  }

  // Tile-local blocks become registers, a register free again after the last step that reads it.
  std::map<int32_t, int> register_of;  // tile-local block -> register
  std::map<int32_t, size_t> last_step;
  for (size_t i = unit.first; i < unit.last; ++i)
    for (const ViewRecord& v : rec_.steps[i].views)
      if (v.buffer.kind == BufferKind::Block) last_step[v.buffer.id] = i;
  std::vector<bool> busy;
  std::vector<Program::Instruction> program;
  std::vector<std::array<BufferRef, 3>> buffers;
  for (size_t i = unit.first; i < unit.last; ++i) {
    const Step& s = rec_.steps[i];
    Program::Instruction in;
    if (s.elementwise) {
      in.kind = s.elementwise->binary ? Program::Instruction::Kind::Binary : Program::Instruction::Kind::Unary;
      in.op = s.elementwise->op;
      in.p0 = s.elementwise->p0;
      in.p1 = s.elementwise->p1;
    } else {
      in.kind = Program::Instruction::Kind::Reduce;
      in.op = uint8_t(*s.row_reduction);
    }
    std::array<BufferRef, 3> refs{};
    Program::Operand* operands[3] = {&in.out, &in.a, &in.b};
    // Operands in reading order, the output last: an instruction may write the register it reads.
    for (size_t k : {size_t(1), size_t(2), size_t(0)}) {
      if (k >= s.views.size()) continue;
      const ViewRecord& v = s.views[k];
      const Form form = form_of(v);
      operands[k]->per_row = form == Form::PerRow;
      const bool local = v.buffer.kind == BufferKind::Block && placement_[size_t(v.buffer.id)].kind == Placement::Local;
      if (!local) {
        operands[k]->broadcast = form == Form::Single;
        refs[k] = v.buffer;
        continue;
      }
      if (form == Form::Single) return;
      auto [it, fresh] = register_of.emplace(v.buffer.id, -1);
      if (fresh) {
        const auto free_one = std::find(busy.begin(), busy.end(), false);
        it->second = int(free_one - busy.begin());
        if (free_one == busy.end())
          busy.push_back(true);
        else
          *free_one = true;
      }
      operands[k]->scratch = it->second;
    }
    for (const auto& [block, reg] : register_of)
      if (last_step[block] == i && reg >= 0) busy[size_t(reg)] = false;
    std::erase_if(register_of, [&](const auto& entry) { return last_step[entry.first] == i; });
    program.push_back(in);
    buffers.push_back(refs);
  }
  if (busy.size() > size_t(Program::kMaxScratch)) return;
  unit.program = std::move(program);
  unit.program_buffers = std::move(buffers);
  unit.program_registers = int(busy.size());
  unit.program_numel = numel;
  unit.program_row_length = row_length;
  unit.program_dtype = dtype;
}

std::vector<int> Plan::plan_in_place(const std::vector<int>& begin, const std::vector<int>& end) const {
  std::vector<int> owner(rec_.blocks.size(), -1);  // the block whose slot each block takes (-1: its own)
  std::vector<bool> taken(rec_.blocks.size(), false);
  auto arena_block = [&](const BufferRef& r) {
    return r.kind == BufferKind::Block && r.offset == 0 && placement_[size_t(r.id)].kind == Placement::Arena;
  };
  auto same_layout = [](const ViewRecord& a, const ViewRecord& b) {
    return a.dtype == b.dtype && a.sizes == b.sizes && a.strides == b.strides;
  };
  for (const Unit& unit : units_) {
    if (unit.fused || unit.last != unit.first + 1) continue;  // a group's tiles interleave its steps
    const size_t s = unit.first;
    const Step& step = rec_.steps[s];
    if (!step.pointwise) continue;
    const ViewRecord& out = step.views[0];
    if (!arena_block(out.buffer) || !is_contiguous(out) || begin[size_t(out.buffer.id)] != int(s)) continue;
    const size_t o = size_t(out.buffer.id);
    for (size_t i = 1; i < step.views.size() && owner[o] < 0; ++i) {
      const ViewRecord& in = step.views[i];
      if (!arena_block(in.buffer) || !same_layout(in, out)) continue;
      const size_t b = size_t(in.buffer.id);
      if (b == o || taken[b] || end[b] != int(s) + 1 || rec_.blocks[b].nbytes < rec_.blocks[o].nbytes) continue;
      // Every view of the step that reads the block must read it element for element with the output.
      bool aligned = true;
      for (const ViewRecord& v : step.views)
        if (v.buffer.kind == BufferKind::Block && size_t(v.buffer.id) == b)
          aligned = aligned && arena_block(v.buffer) && same_layout(v, out);
      if (!aligned) continue;
      taken[b] = true;
      owner[o] = owner[b] >= 0 ? owner[b] : int(b);
    }
  }
  return owner;
}

void Plan::plan_memory() {
  struct Item {
    size_t bytes;
    int begin, end;  // alive over steps [begin, end)
    size_t* offset;
  };
  std::vector<Item> items;
  std::vector<int> first_use(rec_.blocks.size(), -1), last_use(rec_.blocks.size(), -1);
  for (size_t s = 0; s < rec_.steps.size(); ++s) {
    for (const ViewRecord& v : rec_.steps[s].views) {
      if (v.buffer.kind != BufferKind::Block) continue;
      const size_t b = size_t(v.buffer.id);
      if (first_use[b] < 0) first_use[b] = int(s);
      last_use[b] = int(s);
    }
  }
  // A block lives from the first step that touches it to the last: eager execution held it longer (from its
  // allocation to the release of the last tensor on it, at the end of a C++ full-expression or scope), but
  // nothing outside the plan sees a block the step both allocated and freed.
  std::vector<int> begin(rec_.blocks.size()), end(rec_.blocks.size());
  for (size_t b = 0; b < rec_.blocks.size(); ++b) {
    begin[b] = first_use[b] >= 0 ? first_use[b] : rec_.blocks[b].first_step;
    end[b] = last_use[b] >= 0 ? last_use[b] + 1 : rec_.blocks[b].end_step;
  }
  // A group's tiles interleave its steps: whatever it touches is alive from its first step to its last.
  for (const Unit& unit : units_) {
    if (!unit.fused) continue;
    for (size_t s = unit.first; s < unit.last; ++s) {
      for (const ViewRecord& v : rec_.steps[s].views) {
        if (v.buffer.kind != BufferKind::Block) continue;
        const size_t b = size_t(v.buffer.id);
        begin[b] = std::min(begin[b], int(unit.first));
        end[b] = std::max(end[b], int(unit.last));
      }
    }
  }
  // In place: an elementwise step outside any group whose input block dies right after it writes its output into
  // that block, as an in-place op would (each element is read before the same element is written), so the two
  // share one slot, alive from the input's first step to the output's last.
  const std::vector<int> shares = plan_in_place(begin, end);
  for (size_t b = 0; b < rec_.blocks.size(); ++b) {
    const int owner = shares[b];
    if (owner >= 0) end[size_t(owner)] = std::max(end[size_t(owner)], end[b]);
  }
  for (size_t b = 0; b < rec_.blocks.size(); ++b) {
    Placement& p = placement_[b];
    if (p.kind == Placement::Arena && shares[b] < 0) {
      items.push_back({align_up(std::max<size_t>(rec_.blocks[b].nbytes, 1)), begin[b], end[b], &p.offset});
    } else if (p.kind == Placement::Local) {
      // Every tile runs the group's steps in order and writes a scratch before reading it, so two scratches whose
      // steps do not overlap share memory.
      const Unit& unit = units_[size_t(p.group)];
      items.push_back(
          {align_up(size_t(unit.tile_rows * local_row_bytes_[b])), first_use[b], last_use[b] + 1, &p.offset});
    }
  }
  std::stable_sort(items.begin(), items.end(), [](const Item& a, const Item& b) { return a.bytes > b.bytes; });
  std::vector<const Item*> placed;
  for (Item& item : items) {
    std::vector<std::pair<size_t, size_t>> busy;  // [offset, offset + bytes) of placed items alive at the same time
    for (const Item* other : placed)
      if (item.begin < other->end && other->begin < item.end)
        busy.emplace_back(*other->offset, *other->offset + other->bytes);
    std::sort(busy.begin(), busy.end());
    size_t offset = 0;
    for (const auto& [lo, hi] : busy) {
      if (offset + item.bytes <= lo) break;
      offset = std::max(offset, hi);
    }
    *item.offset = offset;
    arena_bytes_ = std::max(arena_bytes_, offset + item.bytes);
    placed.push_back(&item);
  }
  for (size_t b = 0; b < rec_.blocks.size(); ++b)
    if (shares[b] >= 0) placement_[b].offset = placement_[size_t(shares[b])].offset;
  if (arena_bytes_) {
    arena_ = backend_for(kCPU).allocate(arena_bytes_, 0);
    wick::detail::count_tensor_memory(kCPU, int64_t(arena_bytes_));
  }

  // What eager execution held: the capture's temporaries, alive from their allocation to their release.
  std::vector<std::pair<int, int64_t>> events;  // (step, +bytes / -bytes); releases sort before allocations
  for (const BlockRecord& block : rec_.blocks) {
    if (block.end_step < 0) continue;
    events.emplace_back(block.first_step, int64_t(block.nbytes));
    events.emplace_back(block.end_step, -int64_t(block.nbytes));
  }
  std::sort(events.begin(), events.end());
  int64_t live = 0;
  for (const auto& [step, bytes] : events) {
    live += bytes;
    eager_peak_bytes_ = std::max(eager_peak_bytes_, size_t(std::max<int64_t>(live, 0)));
  }
}

std::byte* Plan::address_of(const BufferRef& b, std::span<const Tensor> inputs) {
  switch (b.kind) {
    case BufferKind::Absent: return nullptr;
    case BufferKind::Input: return reinterpret_cast<std::byte*>(inputs[size_t(b.id)].impl()->byte_ptr()) + b.offset;
    case BufferKind::Block: {
      const Placement& p = placement_[size_t(b.id)];
      if (p.kind == Placement::Pinned)
        return reinterpret_cast<std::byte*>(rec_.blocks[size_t(b.id)].address) + b.offset;
      return static_cast<std::byte*>(arena_) + p.offset + b.offset;
    }
    case BufferKind::External: return reinterpret_cast<std::byte*>(b.address);
    case BufferKind::Constant: return rec_.constants[size_t(b.id)].data();
  }
  return nullptr;
}

void Plan::resolve(size_t step, std::span<const Tensor> inputs, const Unit* group, int64_t row0, int64_t rows) {
  const Step& s = rec_.steps[step];
  for (size_t j = 0; j < s.views.size(); ++j) {
    const ViewRecord& r = s.views[j];
    const size_t g = first_view_[step] + j;
    View& v = views_[g];
    if (r.buffer.kind == BufferKind::Absent) {
      v.data = nullptr;
      continue;
    }
    std::byte* base = address_of(r.buffer, inputs);
    const bool local = r.buffer.kind == BufferKind::Block && placement_[size_t(r.buffer.id)].kind == Placement::Local;
    if (group) {
      // A tile-local block's scratch holds only this tile's rows; everything else advances to row0.
      if (!local) base += row0 * r.strides[0] * r.element_bytes();
      tile_sizes_[g][0] = rows;
      v.sizes = tile_sizes_[g].data();
    } else {
      v.sizes = r.sizes.data();
    }
    v.data = base;
  }
}

bool Plan::run_program(Unit& unit, std::span<const Tensor> inputs, Backend& backend) {
  ElementwiseProgram::Operand* operands[3];
  for (size_t i = 0; i < unit.program.size(); ++i) {
    ElementwiseProgram::Instruction& in = unit.program[i];
    operands[0] = &in.out, operands[1] = &in.a, operands[2] = &in.b;
    for (size_t k = 0; k < 3; ++k)
      if (unit.program_buffers[i][k].kind != BufferKind::Absent)
        operands[k]->data = address_of(unit.program_buffers[i][k], inputs);
  }
  ElementwiseProgram program;
  program.dtype = unit.program_dtype;
  program.numel = unit.program_numel;
  program.row_length = unit.program_row_length;
  program.instructions = unit.program.data();
  program.instruction_count = int(unit.program.size());
  program.scratch_count = unit.program_registers;
  if (backend.run_elementwise_program(program)) return true;
  unit.program.clear();  // declined: this group runs tile by tile from now on
  return false;
}

void Plan::run_group(Unit& group, std::span<const Tensor> inputs, Backend& backend) {
  if (!group.program.empty() && run_program(group, inputs, backend)) return;
  for (int64_t row0 = 0; row0 < group.rows; row0 += group.tile_rows) {
    const int64_t rows = std::min(group.tile_rows, group.rows - row0);
    for (size_t i = group.first; i < group.last; ++i) {
      resolve(i, inputs, &group, row0, rows);
      rec_.steps[i].launch(backend, &views_[first_view_[i]]);
    }
  }
}

bool Plan::run_step(size_t i, std::span<const Tensor> inputs, Backend& backend) {
  const Step& s = rec_.steps[i];
  resolve(i, inputs, nullptr, 0, 0);
  const View* v = &views_[first_view_[i]];
  switch (s.kind) {
    case StepClass::Random:
      if (!random_reserved_) {
        random_base_ = reserve_random(rec_.random_advance);
        random_reserved_ = true;
      }
      backend.random(v[0], s.random_kind, s.random_a, s.random_b, random_base_.seed,
                     random_base_.offset + s.random_offset);
      return true;
    case StepClass::Guard:
      backend.copy_to_host(guard_buffer_.data(), v[0].data, s.expected.size(), 0);
      if (std::memcmp(guard_buffer_.data(), s.expected.data(), s.expected.size()) == 0) return true;
      if (i <= first_side_effect_) return false;
      fail("compile", "step ", i, " of the compiled plan read a value to the host that differs from the capture's, ",
           "after the plan had already written outside its arena (an eager run would have taken another path ",
           "there); run this step eagerly, or move the value-dependent code out of the compiled function");
    default: s.launch(backend, v); return true;
  }
}

bool Plan::replay(std::span<const Tensor> inputs) {
  Backend& backend = backend_for(kCPU);
  random_reserved_ = false;
  for (Unit& unit : units_) {
    if (unit.fused) {
      profiler::Scope scope(unit.label);
      run_group(unit, inputs, backend);
      continue;
    }
    for (size_t i = unit.first; i < unit.last; ++i)
      if (!run_step(i, inputs, backend)) return false;
  }
  return true;
}

std::vector<uintptr_t> Plan::pinned_addresses() const {
  std::vector<uintptr_t> out;
  for (const Step& s : rec_.steps)
    for (const ViewRecord& v : s.views)
      if (v.buffer.kind == BufferKind::External) out.push_back(v.buffer.address);
  for (size_t b = 0; b < rec_.blocks.size(); ++b)
    if (placement_[b].kind == Placement::Pinned) out.push_back(rec_.blocks[b].address);
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

int Plan::fused_groups() const {
  return int(std::count_if(units_.begin(), units_.end(), [](const Unit& u) { return u.fused; }));
}

std::string Plan::buffer_name(const BufferRef& b) const {
  std::ostringstream os;
  switch (b.kind) {
    case BufferKind::Absent: return "-";
    case BufferKind::Input: os << "arg" << b.id; break;
    case BufferKind::Block: {
      const Placement& p = placement_[size_t(b.id)];
      os << (p.kind == Placement::Pinned ? "kept" : p.kind == Placement::Local ? "tile" : "arena") << b.id;
      break;
    }
    case BufferKind::External: os << "ext@0x" << std::hex << b.address << std::dec; return os.str();
    case BufferKind::Constant: os << "const" << b.id; return os.str();
  }
  if (b.offset) os << '+' << b.offset;
  return os.str();
}

std::string Plan::describe() const {
  std::ostringstream os;
  size_t fused_steps = 0, arena_blocks = 0, local_blocks = 0, kept_blocks = 0;
  for (const Unit& u : units_)
    if (u.fused) fused_steps += u.last - u.first;
  for (const Placement& p : placement_) {
    arena_blocks += p.kind == Placement::Arena;
    local_blocks += p.kind == Placement::Local;
    kept_blocks += p.kind == Placement::Pinned;
  }
  os << "wick::compile plan: " << rec_.steps.size() << " steps, " << fused_steps << " of them in " << fused_groups()
     << " fused groups; arena " << arena_bytes_ << " bytes (" << arena_blocks << " blocks, " << local_blocks
     << " tile-local intermediates that never materialise); " << kept_blocks << " blocks kept (they outlive a call)\n";
  for (size_t u = 0; u < units_.size(); ++u) {
    const Unit& unit = units_[u];
    if (unit.fused && !unit.program.empty() && unit.program_row_length)
      os << "  group " << u << ": " << (unit.last - unit.first) << " steps over " << unit.rows
         << " rows, one row program of " << unit.rows << " rows of " << unit.program_row_length << " elements in "
         << unit.program_registers << " registers\n";
    else if (unit.fused && !unit.program.empty())
      os << "  group " << u << ": " << (unit.last - unit.first) << " steps over " << unit.rows
         << " rows, one elementwise program of " << unit.program_numel << " elements in " << unit.program_registers
         << " registers\n";
    else if (unit.fused)
      os << "  group " << u << ": " << (unit.last - unit.first) << " steps over " << unit.rows << " rows, tiles of "
         << unit.tile_rows << "\n";
    for (size_t i = unit.first; i < unit.last; ++i) {
      const Step& s = rec_.steps[i];
      os << (unit.fused ? "    " : "  ") << i << ' ' << s.label << ':';
      for (const ViewRecord& v : s.views) {
        os << ' ' << buffer_name(v.buffer);
        if (v.buffer.kind == BufferKind::Absent) continue;
        os << '[';
        for (size_t d = 0; d < v.sizes.size(); ++d) os << (d ? "," : "") << v.sizes[d];
        os << ']';
      }
      os << '\n';
    }
  }
  os << "arena layout:\n";
  for (size_t b = 0; b < rec_.blocks.size(); ++b) {
    const Placement& p = placement_[b];
    if (p.kind != Placement::Arena && p.kind != Placement::Local) continue;
    os << "  " << (p.kind == Placement::Local ? "tile" : "arena") << b << ": [" << p.offset << ", "
       << p.offset + (p.kind == Placement::Local ? size_t(units_[size_t(p.group)].tile_rows * local_row_bytes_[b])
                                                 : rec_.blocks[b].nbytes)
       << ")\n";
  }
  return os.str();
}

std::string Plan::dot() const {
  std::ostringstream os;
  os << "digraph plan {\n  node [shape=box, fontname=monospace];\n";
  std::map<BufferKey, size_t> last_writer;  // buffer -> unit
  for (size_t u = 0; u < units_.size(); ++u) {
    const Unit& unit = units_[u];
    os << "  u" << u << " [label=\"";
    for (size_t i = unit.first; i < unit.last; ++i) os << (i > unit.first ? "\\n" : "") << rec_.steps[i].label;
    os << '"' << (unit.fused ? ", style=filled, fillcolor=lightblue" : "") << "];\n";
    std::map<size_t, bool> sources;
    for (size_t i = unit.first; i < unit.last; ++i) {
      const Step& s = rec_.steps[i];
      for (const ViewRecord& v : s.views) {
        if (v.buffer.kind == BufferKind::Absent || v.buffer.kind == BufferKind::Constant) continue;
        auto it = last_writer.find(key_of(v.buffer));
        if (it != last_writer.end() && it->second != u) sources[it->second] = true;
      }
      const size_t written = s.kind == StepClass::Guard ? 0 : writes_only_first(s) ? 1 : s.views.size();
      for (size_t v = 0; v < written; ++v)
        if (s.views[v].buffer.kind != BufferKind::Absent) last_writer[key_of(s.views[v].buffer)] = u;
    }
    for (const auto& [from, unused] : sources) os << "  u" << from << " -> u" << u << ";\n";
  }
  os << "}\n";
  return os.str();
}

}  // namespace wick::detail::compile
