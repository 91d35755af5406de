// The optimizer base, shaped as LibTorch's torch::optim::Optimizer: parameter groups that each carry their own
// options, per-parameter state, zero_grad(), step(closure), and state_dict()/load_state_dict() as a flat map
// of tensors (what wick::save writes to safetensors):
//   param_groups.<g>.<option>   float64 scalar per hyper-parameter ("lr", "betas.0", "amsgrad", ...)
//   param_groups.<g>.params     int64 indices of the group's parameters (counted across groups, as PyTorch)
//   state.<i>.<name>            the i-th parameter's state ("step", "exp_avg", ...); a list of tensors (LBFGS's
//                               history) as one tensor, stacked along a new first dim
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "wick/arg.h"
#include "wick/tensor.h"

namespace wick::optim {

// Walks the named fields of an options struct or a parameter state (for state_dict, load_state_dict and
// schedulers that cycle momentum). Each optimizer lists its fields once, in its visit().
class FieldVisitor {
 public:
  virtual ~FieldVisitor() = default;
  virtual void field(const char* name, double& value) = 0;
  virtual void field(const char* name, bool& value) = 0;
  virtual void field(const char* name, int64_t& value) = 0;
  // A tensor shaped like its parameter (moment estimates, momentum buffers, ...).
  virtual void field(const char* name, Tensor& value) = 0;
  // A tensor of its own shape: LBFGS's state is flat vectors over all parameters and 0-dim scalars.
  virtual void field_any_shape(const char* name, Tensor& value) = 0;
  // Tensors of one shape, up to the first undefined one (LBFGS's history of directions and steps).
  virtual void field(const char* name, std::vector<Tensor>& value) = 0;
};

// Hyper-parameters of one parameter group. Each optimizer's options struct (AdamOptions, ...) derives from it.
class OptimizerOptions {
 public:
  virtual ~OptimizerOptions() = default;
  virtual std::unique_ptr<OptimizerOptions> clone() const = 0;
  virtual double get_lr() const = 0;
  virtual void set_lr(double lr) = 0;
  // Every hyper-parameter under PyTorch's name; tuples are split ("betas.0", "betas.1").
  virtual void visit(FieldVisitor& visitor) = 0;
};

template <class Derived>
class OptimizerCloneableOptions : public OptimizerOptions {
 public:
  std::unique_ptr<OptimizerOptions> clone() const override {
    return std::make_unique<Derived>(static_cast<const Derived&>(*this));
  }
  double get_lr() const override { return static_cast<const Derived&>(*this).lr(); }
  void set_lr(double lr) override { static_cast<Derived&>(*this).lr(lr); }
};

// What an optimizer remembers about one parameter between steps (momentum buffers, moment estimates, ...).
class OptimizerParamState {
 public:
  virtual ~OptimizerParamState() = default;
  virtual std::unique_ptr<OptimizerParamState> clone() const = 0;
  virtual void visit(FieldVisitor& visitor) = 0;
};

template <class Derived>
class OptimizerCloneableParamState : public OptimizerParamState {
 public:
  std::unique_ptr<OptimizerParamState> clone() const override {
    return std::make_unique<Derived>(static_cast<const Derived&>(*this));
  }
};

// Parameters that share options. A group made without options takes the optimizer's defaults.
class OptimizerParamGroup {
 public:
  OptimizerParamGroup(std::vector<Tensor> params) : params_(std::move(params)) {}
  OptimizerParamGroup(std::vector<Tensor> params, std::unique_ptr<OptimizerOptions> options)
      : params_(std::move(params)), options_(std::move(options)) {}
  OptimizerParamGroup(const OptimizerParamGroup& other);
  OptimizerParamGroup& operator=(const OptimizerParamGroup& other);
  OptimizerParamGroup(OptimizerParamGroup&&) noexcept = default;
  OptimizerParamGroup& operator=(OptimizerParamGroup&&) noexcept = default;

  bool has_options() const { return options_ != nullptr; }
  OptimizerOptions& options();
  const OptimizerOptions& options() const;
  void set_options(std::unique_ptr<OptimizerOptions> options) { options_ = std::move(options); }
  std::vector<Tensor>& params() { return params_; }
  const std::vector<Tensor>& params() const { return params_; }

 private:
  std::vector<Tensor> params_;
  std::unique_ptr<OptimizerOptions> options_;
};

using LossClosure = std::function<Tensor()>;

class Optimizer {
 public:
  Optimizer(std::vector<OptimizerParamGroup> param_groups, std::unique_ptr<OptimizerOptions> defaults);
  Optimizer(const Optimizer&) = delete;
  Optimizer& operator=(const Optimizer&) = delete;
  virtual ~Optimizer();

  // Adds parameters with their own options (or the defaults). A parameter may belong to one group only.
  void add_param_group(const OptimizerParamGroup& param_group);
  // One update of every parameter that has a gradient. The closure, if given, re-evaluates the loss
  // (with grad mode on) before the update; its result is returned.
  virtual Tensor step(LossClosure closure = nullptr) = 0;
  // Resets every parameter's gradient: to undefined (set_to_none, PyTorch 2's default) or to zeros.
  void zero_grad(bool set_to_none = true);

  // All parameters, group by group.
  std::vector<Tensor> parameters() const;
  size_t size() const;  // number of parameters
  std::vector<OptimizerParamGroup>& param_groups() noexcept { return param_groups_; }
  const std::vector<OptimizerParamGroup>& param_groups() const noexcept { return param_groups_; }
  OptimizerOptions& defaults() noexcept { return *defaults_; }
  const OptimizerOptions& defaults() const noexcept { return *defaults_; }
  // Per-parameter state, keyed by the parameter's TensorImpl (LibTorch keys it by the same pointer).
  std::unordered_map<TensorImpl*, std::unique_ptr<OptimizerParamState>>& state() noexcept { return state_; }

  // The optimizer's name as PyTorch spells it ("Adam"): stored with saved state so a mismatch is caught.
  virtual const char* name() const = 0;
  // Options and state as a flat map of tensors (see the top of this file). Tensors are shared, not copied.
  std::map<std::string, Tensor> state_dict() const;
  // Restores options and state; parameters are matched by position. Throws wick::Error listing every
  // missing or unexpected key and every shape mismatch, and changes nothing then.
  void load_state_dict(const std::map<std::string, Tensor>& state_dict);

 protected:
  // A fresh, empty state for load_state_dict to fill.
  virtual std::unique_ptr<OptimizerParamState> make_state() const = 0;
  // Checks a state load_state_dict read (under the keys `prefix`...) beyond what its fields say about
  // themselves, adding one line per problem: LBFGS's flat vectors must fit its parameters.
  virtual void check_loaded_state(const OptimizerParamState& /*state*/, const std::string& /*prefix*/,
                                  std::vector<std::string>& /*problems*/) const {}
  // The state of `param`, or nullptr before its first update.
  template <class State>
  State* find_state(const Tensor& param) {
    auto it = state_.find(param.impl());
    return it == state_.end() ? nullptr : static_cast<State*>(it->second.get());
  }
  template <class State>
  State& emplace_state(const Tensor& param) {
    auto state = std::make_unique<State>();
    State& ref = *state;
    state_[param.impl()] = std::move(state);
    return ref;
  }
  // Runs the closure with grad mode on; undefined when there is no closure.
  static Tensor run_closure(const LossClosure& closure);

  std::vector<OptimizerParamGroup> param_groups_;
  std::unordered_map<TensorImpl*, std::unique_ptr<OptimizerParamState>> state_;
  std::unique_ptr<OptimizerOptions> defaults_;
};

// Reads or writes one named hyper-parameter ("momentum", "betas.0") of an options struct; false when the
// optimizer has no such option. Schedulers use these to cycle momentum whatever the optimizer.
bool get_option(OptimizerOptions& options, const std::string& name, double& value);
bool set_option(OptimizerOptions& options, const std::string& name, double value);

}  // namespace wick::optim
