// Epoch-based learning-rate schedules, each get_lrs() a transcription of PyTorch 1.13's get_lr().
#include "wick/optim/lr_scheduler.h"

#include <algorithm>
#include <cmath>
#include <numbers>

namespace wick::optim {

LRScheduler::LRScheduler(Optimizer& optimizer) : optimizer_(optimizer), base_lrs_(get_current_lrs()) {}

std::vector<double> LRScheduler::get_current_lrs() const {
  std::vector<double> lrs;
  for (const OptimizerParamGroup& group : optimizer_.param_groups()) lrs.push_back(group.options().get_lr());
  return lrs;
}

void LRScheduler::initial_step() {
  last_epoch_ = -1;
  step();
}

void LRScheduler::step() {
  ++last_epoch_;
  last_lrs_ = get_lrs();
  std::vector<OptimizerParamGroup>& groups = optimizer_.param_groups();
  WICK_CHECK(last_lrs_.size() == groups.size(), "optim::LRScheduler::step", "the optimizer has ", groups.size(),
             " parameter groups; the schedule was made for ", last_lrs_.size());
  for (size_t i = 0; i < groups.size(); ++i) groups[i].options().set_lr(last_lrs_[i]);
}

// ---- StepLR, MultiStepLR, ExponentialLR ----------------------------------------------------------------------

StepLR::StepLR(Optimizer& optimizer, int64_t step_size, double gamma)
    : LRScheduler(optimizer), step_size_(step_size), gamma_(gamma) {
  WICK_CHECK(step_size > 0, "optim::StepLR", "step_size must be positive, got ", step_size);
  initial_step();
}

std::vector<double> StepLR::get_lrs() {
  std::vector<double> lrs = get_current_lrs();
  if (last_epoch_ == 0 || last_epoch_ % step_size_ != 0) return lrs;
  for (double& lr : lrs) lr *= gamma_;
  return lrs;
}

MultiStepLR::MultiStepLR(Optimizer& optimizer, std::vector<int64_t> milestones, double gamma)
    : LRScheduler(optimizer), milestones_(std::move(milestones)), gamma_(gamma) {
  initial_step();
}

std::vector<double> MultiStepLR::get_lrs() {
  std::vector<double> lrs = get_current_lrs();
  const auto hits = std::count(milestones_.begin(), milestones_.end(), last_epoch_);
  if (hits == 0) return lrs;
  for (double& lr : lrs) lr *= std::pow(gamma_, double(hits));
  return lrs;
}

ExponentialLR::ExponentialLR(Optimizer& optimizer, double gamma) : LRScheduler(optimizer), gamma_(gamma) {
  initial_step();
}

std::vector<double> ExponentialLR::get_lrs() {
  std::vector<double> lrs = get_current_lrs();
  if (last_epoch_ == 0) return lrs;
  for (double& lr : lrs) lr *= gamma_;
  return lrs;
}

// ---- CosineAnnealingLR ---------------------------------------------------------------------------------------

CosineAnnealingLR::CosineAnnealingLR(Optimizer& optimizer, int64_t T_max, double eta_min)
    : LRScheduler(optimizer), T_max_(T_max), eta_min_(eta_min) {
  WICK_CHECK(T_max > 0, "optim::CosineAnnealingLR", "T_max must be positive, got ", T_max);
  initial_step();
}

std::vector<double> CosineAnnealingLR::get_lrs() {
  constexpr double pi = std::numbers::pi;
  std::vector<double> lrs = get_current_lrs();
  if (last_epoch_ == 0) return lrs;
  const double T = double(T_max_), e = double(last_epoch_);
  if ((last_epoch_ - 1 - T_max_) % (2 * T_max_) == 0) {
    for (size_t i = 0; i < lrs.size(); ++i) lrs[i] += (base_lrs_[i] - eta_min_) * (1 - std::cos(pi / T)) / 2;
    return lrs;
  }
  for (double& lr : lrs)
    lr = (1 + std::cos(pi * e / T)) / (1 + std::cos(pi * (e - 1) / T)) * (lr - eta_min_) + eta_min_;
  return lrs;
}

// ---- LinearLR ------------------------------------------------------------------------------------------------

LinearLR::LinearLR(Optimizer& optimizer, double start_factor, double end_factor, int64_t total_iters)
    : LRScheduler(optimizer), start_factor_(start_factor), end_factor_(end_factor), total_iters_(total_iters) {
  WICK_CHECK(start_factor > 0 && start_factor <= 1, "optim::LinearLR", "start_factor must be in (0, 1], got ",
             start_factor);
  WICK_CHECK(end_factor >= 0 && end_factor <= 1, "optim::LinearLR", "end_factor must be in [0, 1], got ", end_factor);
  WICK_CHECK(total_iters > 0, "optim::LinearLR", "total_iters must be positive, got ", total_iters);
  initial_step();
}

std::vector<double> LinearLR::get_lrs() {
  std::vector<double> lrs = get_current_lrs();
  if (last_epoch_ == 0) {
    for (double& lr : lrs) lr *= start_factor_;
    return lrs;
  }
  if (last_epoch_ > total_iters_) return lrs;
  const double d = end_factor_ - start_factor_;
  for (double& lr : lrs) lr *= 1. + d / (double(total_iters_) * start_factor_ + double(last_epoch_ - 1) * d);
  return lrs;
}

// ---- OneCycleLR ----------------------------------------------------------------------------------------------

namespace {
enum { kInitialLr, kMaxLr, kMinLr, kMaxMomentum, kBaseMomentum };
}

OneCycleLR::OneCycleLR(Optimizer& optimizer, const OneCycleLROptions& o) : LRScheduler(optimizer), options_(o) {
  const char* op = "optim::OneCycleLR";
  WICK_CHECK(o.total_steps() > 0, op, "total_steps must be positive, got ", o.total_steps());
  WICK_CHECK(o.pct_start() >= 0 && o.pct_start() <= 1, op, "pct_start must be in [0, 1], got ", o.pct_start());
  WICK_CHECK(o.anneal_strategy() == "cos" || o.anneal_strategy() == "linear", op,
             "anneal_strategy must be 'cos' or 'linear', got '", o.anneal_strategy(), "'");
  const double total = double(o.total_steps());
  if (o.three_phase()) {
    phases_ = {{o.pct_start() * total - 1, kInitialLr, kMaxLr, kMaxMomentum, kBaseMomentum},
               {2 * o.pct_start() * total - 2, kMaxLr, kInitialLr, kBaseMomentum, kMaxMomentum},
               {total - 1, kInitialLr, kMinLr, kMaxMomentum, kMaxMomentum}};
  } else {
    phases_ = {{o.pct_start() * total - 1, kInitialLr, kMaxLr, kMaxMomentum, kBaseMomentum},
               {total - 1, kMaxLr, kMinLr, kBaseMomentum, kMaxMomentum}};
  }
  if (o.cycle_momentum()) {
    double unused;
    OptimizerOptions& defaults = optimizer.defaults();
    if (get_option(defaults, "betas.0", unused))
      momentum_name_ = "betas.0";
    else if (get_option(defaults, "momentum", unused))
      momentum_name_ = "momentum";
    WICK_CHECK(!momentum_name_.empty(), op, "optimizer ", optimizer.name(),
               " has no momentum to cycle; pass cycle_momentum(false)");
  }
  for (OptimizerParamGroup& group : optimizer.param_groups()) {
    GroupBounds b;
    b.values[kInitialLr] = o.max_lr() / o.div_factor();
    b.values[kMaxLr] = o.max_lr();
    b.values[kMinLr] = b.values[kInitialLr] / o.final_div_factor();
    b.values[kMaxMomentum] = o.max_momentum();
    b.values[kBaseMomentum] = o.base_momentum();
    bounds_.push_back(b);
    if (!momentum_name_.empty()) set_option(group.options(), momentum_name_, o.max_momentum());
  }
  base_lrs_.clear();
  for (const GroupBounds& b : bounds_) base_lrs_.push_back(b.values[kInitialLr]);
  initial_step();
}

double OneCycleLR::anneal(double start, double end, double pct) const {
  if (options_.anneal_strategy() == "linear") return (end - start) * pct + start;
  return end + (start - end) / 2.0 * (std::cos(std::numbers::pi * pct) + 1);
}

std::vector<double> OneCycleLR::get_lrs() {
  WICK_CHECK(last_epoch_ <= options_.total_steps(), "optim::OneCycleLR::step", "tried to step ", last_epoch_ + 1,
             " times; the schedule has ", options_.total_steps(), " steps");
  std::vector<double> lrs;
  std::vector<OptimizerParamGroup>& groups = optimizer_.param_groups();
  const double step = double(last_epoch_);
  for (size_t g = 0; g < groups.size(); ++g) {
    const GroupBounds& b = bounds_[g];
    double start_step = 0;
    for (size_t i = 0; i < phases_.size(); ++i) {
      const Phase& phase = phases_[i];
      if (step <= phase.end_step || i + 1 == phases_.size()) {
        const double pct = (step - start_step) / (phase.end_step - start_step);
        lrs.push_back(anneal(b.values[phase.start_lr], b.values[phase.end_lr], pct));
        if (!momentum_name_.empty())
          set_option(groups[g].options(), momentum_name_,
                     anneal(b.values[phase.start_momentum], b.values[phase.end_momentum], pct));
        break;
      }
      start_step = phase.end_step;
    }
  }
  return lrs;
}

}  // namespace wick::optim
