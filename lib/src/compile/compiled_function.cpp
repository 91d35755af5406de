// A compiled function's life: capture, agree, replay, and back to eager when something changes.
#include <algorithm>
#include <mutex>
#include <vector>

#include "capture.h"
#include "plan.h"
#include "watch.h"
#include "wick/autocast.h"
#include "wick/compile.h"
#include "wick/error.h"
#include "wick/grad_mode.h"

namespace wick::detail::compile {

// ---- the watch list ---------------------------------------------------------------------------------------
std::atomic<int> g_watched_plans{0};
namespace {
struct Watched {
  uintptr_t address;
  std::atomic<bool>* stale;
};
std::mutex g_watch_mutex;
std::vector<Watched> g_watched;  // sorted by address
}  // namespace

void watch(std::span<const uintptr_t> addresses, std::atomic<bool>* stale_flag) {
  std::lock_guard lock(g_watch_mutex);
  for (uintptr_t a : addresses) g_watched.push_back({a, stale_flag});
  std::sort(g_watched.begin(), g_watched.end(),
            [](const Watched& x, const Watched& y) { return x.address < y.address; });
  g_watched_plans.fetch_add(1, std::memory_order_relaxed);
}

void unwatch(std::atomic<bool>* stale_flag) {
  std::lock_guard lock(g_watch_mutex);
  std::erase_if(g_watched, [&](const Watched& w) { return w.stale == stale_flag; });
  g_watched_plans.fetch_sub(1, std::memory_order_relaxed);
}

void storage_released(const void* data, size_t nbytes) {
  const auto begin = reinterpret_cast<uintptr_t>(data);
  std::lock_guard lock(g_watch_mutex);
  auto it = std::lower_bound(g_watched.begin(), g_watched.end(), begin,
                             [](const Watched& w, uintptr_t a) { return w.address < a; });
  for (; it != g_watched.end() && it->address < begin + std::max<size_t>(nbytes, 1); ++it)
    it->stale->store(true, std::memory_order_relaxed);
}

namespace {

// What a plan is specialised on, besides what the recording itself pins down.
struct ArgSignature {
  ScalarType dtype;
  Device device;
  std::vector<int64_t> sizes, strides;
  bool requires_grad;
  bool operator==(const ArgSignature&) const = default;
};
struct Signature {
  std::vector<ArgSignature> args;
  bool grad = true, inference = false;
  bool autocast_cpu = false, autocast_cuda = false;
  ScalarType autocast_cpu_dtype = kBFloat16, autocast_cuda_dtype = kHalf;
  bool operator==(const Signature&) const = default;
};

ArgSignature arg_signature(const Tensor& t) {
  return {t.scalar_type(), t.device(), t.sizes().vec(), t.strides().vec(), t.requires_grad()};
}

Signature signature_of(std::span<const Tensor> inputs) {
  Signature s;
  for (const Tensor& t : inputs) s.args.push_back(arg_signature(t));
  s.grad = grad_state().enabled;
  s.inference = grad_state().inference;
  s.autocast_cpu = autocast::is_enabled(kCPU);
  s.autocast_cpu_dtype = autocast::get_autocast_dtype(kCPU);
  s.autocast_cuda = autocast::is_enabled(kCUDA);
  s.autocast_cuda_dtype = autocast::get_autocast_dtype(kCUDA);
  return s;
}

// Compared without building a Signature: the replay path allocates nothing.
bool matches(const Signature& s, std::span<const Tensor> inputs) {
  if (s.args.size() != inputs.size() || s.grad != grad_state().enabled || s.inference != grad_state().inference ||
      s.autocast_cpu != autocast::is_enabled(kCPU) || s.autocast_cuda != autocast::is_enabled(kCUDA) ||
      s.autocast_cpu_dtype != autocast::get_autocast_dtype(kCPU) ||
      s.autocast_cuda_dtype != autocast::get_autocast_dtype(kCUDA))
    return false;
  for (size_t i = 0; i < inputs.size(); ++i) {
    const Tensor& t = inputs[i];
    const ArgSignature& a = s.args[i];
    if (t.scalar_type() != a.dtype || t.device() != a.device || t.requires_grad() != a.requires_grad ||
        !std::ranges::equal(t.sizes(), a.sizes) || !std::ranges::equal(t.strides(), a.strides))
      return false;
  }
  return true;
}

// Where the result lives in its capture: a block allocated by the step and still alive at its end.
struct ResultRecord {
  int block = -1;
  int64_t offset = 0;
  bool operator==(const ResultRecord&) const = default;
};

ResultRecord locate_result(const Recording& rec, const Tensor& out) {
  const auto p = reinterpret_cast<uintptr_t>(out.impl()->byte_ptr());
  for (size_t b = rec.blocks.size(); b-- > 0;) {
    const BlockRecord& block = rec.blocks[b];
    if (block.end_step < 0 && p >= block.address && p < block.address + std::max<size_t>(block.nbytes, 1))
      return {int(b), int64_t(p - block.address)};
  }
  return {};
}

// Captures in a row that may disagree before the function is left to run eagerly.
constexpr int kMaxDisagreements = 3;

}  // namespace
}  // namespace wick::detail::compile

namespace wick::detail {

struct CompileCache::State {
  CompileStats stats;
  std::string reason;
  // The last capture, waiting for the next one to agree with it.
  std::unique_ptr<compile::Recording> last;
  compile::Signature last_signature;
  compile::ResultRecord last_result;
  int disagreements = 0;
  bool eager_only = false;  // too many disagreements for this signature
  // The plan in use.
  std::unique_ptr<compile::Plan> plan;
  compile::Signature plan_signature;
  Tensor result;
  std::atomic<bool> stale{false};
  bool watching = false;

  ~State() { drop_plan(); }

  void drop_plan() {
    if (watching) compile::unwatch(&stale);
    watching = false;
    plan.reset();
    result = Tensor();
    stale.store(false);
  }
};

CompileCache::CompileCache() : state_(std::make_unique<State>()) {}
CompileCache::~CompileCache() = default;
CompileCache::CompileCache(CompileCache&&) noexcept = default;
CompileCache& CompileCache::operator=(CompileCache&&) noexcept = default;

Tensor CompileCache::call(std::span<const Tensor> inputs, StepRef run) {
  State& s = *state_;
  ++s.stats.calls;
  if (compile::active_capture()) {
    // Called inside another compiled function's capture: that capture records this call's work.
    ++s.stats.eager_calls;
    return run();
  }
  for (size_t i = 0; i < inputs.size(); ++i)
    WICK_CHECK(inputs[i].defined(), "compile", "argument ", i, " of the compiled function is an undefined tensor");

  if (s.plan) {
    if (!s.stale.load(std::memory_order_relaxed) && compile::matches(s.plan_signature, inputs)) {
      if (s.plan->replay(inputs)) {
        ++s.stats.replays;
        return s.result;
      }
      s.reason = "a value read to the host differed from the capture's";
    } else {
      s.reason = s.stale.load() ? "memory the plan uses was freed" : "the arguments or modes changed";
    }
    ++s.stats.recaptures;
    s.drop_plan();
    s.last.reset();
    s.disagreements = 0;
    s.eager_only = false;
  }

  compile::Signature signature = compile::signature_of(inputs);
  if (s.eager_only) {
    if (signature == s.last_signature) {
      ++s.stats.eager_calls;
      return run();
    }
    s.eager_only = false;
    s.disagreements = 0;
    s.last.reset();
  }

  // Capture: run eagerly with every primitive recorded.
  compile::Recording rec;
  Tensor out;
  {
    compile::Capture capture(inputs);
    out = run();
    rec = capture.finish();
  }
  ++s.stats.captures;
  compile::ResultRecord result;
  if (rec.unreplayable.empty()) {
    if (!out.defined()) {
      rec.unreplayable = "the function returned an undefined tensor";
    } else if (out.requires_grad() && grad_state().enabled) {
      rec.unreplayable = "the result requires grad: call backward() inside the compiled function";
    } else if ((result = compile::locate_result(rec, out)).block < 0) {
      rec.unreplayable = "the result is not a tensor the function computed (an argument, or memory from before)";
    }
  }

  const bool agrees = rec.unreplayable.empty() && s.last && signature == s.last_signature && result == s.last_result &&
                      s.last->same_as(rec);
  if (agrees) {
    std::string why_not;
    s.plan = compile::Plan::build(std::move(rec), &why_not);
    s.last.reset();
    if (s.plan) {
      s.plan_signature = std::move(signature);
      s.result = out.detach();
      const std::vector<uintptr_t> pinned = s.plan->pinned_addresses();
      compile::watch(pinned, &s.stale);
      s.watching = true;
      s.reason.clear();
      s.disagreements = 0;
      return out;
    }
    s.reason = why_not;
    s.eager_only = true;
    s.last_signature = std::move(signature);
    return out;
  }

  if (!rec.unreplayable.empty()) {
    s.reason = rec.unreplayable;
  } else if (s.last) {
    s.reason = "two captures in a row differed (a scalar the function reads changed, or a branch took another path)";
  }
  if ((s.last || !rec.unreplayable.empty()) && ++s.disagreements >= compile::kMaxDisagreements) s.eager_only = true;
  s.last = std::make_unique<compile::Recording>(std::move(rec));
  s.last_signature = std::move(signature);
  s.last_result = result;
  return out;
}

CompileStats CompileCache::stats() const { return state_->stats; }
std::string CompileCache::fallback_reason() const { return state_->reason; }
std::string CompileCache::plan_string() const { return state_->plan ? state_->plan->describe() : std::string(); }
std::string CompileCache::plan_dot() const { return state_->plan ? state_->plan->dot() : std::string(); }
size_t CompileCache::arena_bytes() const { return state_->plan ? state_->plan->arena_bytes() : 0; }
size_t CompileCache::eager_peak_bytes() const { return state_->plan ? state_->plan->eager_peak_bytes() : 0; }

void CompileCache::reset() {
  state_->drop_plan();
  state_->last.reset();
  state_->disagreements = 0;
  state_->eager_only = false;
}

}  // namespace wick::detail
