// The optimizer base: parameter groups, zero_grad, and state_dict/load_state_dict over FieldVisitor.
#include "wick/optim/optimizer.h"

#include <set>
#include <typeinfo>

#include "wick/grad_mode.h"
#include "wick/ops.h"

namespace wick::optim {

OptimizerParamGroup::OptimizerParamGroup(const OptimizerParamGroup& other)
    : params_(other.params_), options_(other.options_ ? other.options_->clone() : nullptr) {}

OptimizerParamGroup& OptimizerParamGroup::operator=(const OptimizerParamGroup& other) {
  if (this != &other) {
    params_ = other.params_;
    options_ = other.options_ ? other.options_->clone() : nullptr;
  }
  return *this;
}

OptimizerOptions& OptimizerParamGroup::options() {
  WICK_CHECK(options_ != nullptr, "optim::OptimizerParamGroup", "the group has no options yet");
  return *options_;
}

const OptimizerOptions& OptimizerParamGroup::options() const {
  return const_cast<OptimizerParamGroup*>(this)->options();
}

Optimizer::Optimizer(std::vector<OptimizerParamGroup> param_groups, std::unique_ptr<OptimizerOptions> defaults)
    : defaults_(std::move(defaults)) {
  for (const OptimizerParamGroup& group : param_groups) add_param_group(group);
}

Optimizer::~Optimizer() = default;

void Optimizer::add_param_group(const OptimizerParamGroup& param_group) {
  OptimizerParamGroup group(param_group.params());
  if (param_group.has_options()) {
    const OptimizerOptions& given = param_group.options();
    WICK_CHECK(typeid(given) == typeid(*defaults_), "optim::Optimizer::add_param_group",
               "the group's options belong to another optimizer than its defaults");
    group.set_options(given.clone());
  } else {
    group.set_options(defaults_->clone());
  }
  std::set<TensorImpl*> seen;
  for (const OptimizerParamGroup& g : param_groups_)
    for (const Tensor& p : g.params()) seen.insert(p.impl());
  for (size_t i = 0; i < group.params().size(); ++i) {
    const Tensor& p = group.params()[i];
    WICK_CHECK(p.defined(), "optim::Optimizer::add_param_group", "parameter ", i, " is an undefined tensor");
    WICK_CHECK(p.is_leaf(), "optim::Optimizer::add_param_group", "can't optimize a non-leaf tensor (parameter ", i,
               ", ", p.grad_fn_name(), ")");
    WICK_CHECK(seen.insert(p.impl()).second, "optim::Optimizer::add_param_group",
               "some parameters appear in more than one parameter group (parameter ", i, ")");
  }
  param_groups_.push_back(std::move(group));
}

void Optimizer::zero_grad(bool set_to_none) {
  NoGradGuard no_grad;
  for (OptimizerParamGroup& group : param_groups_) {
    for (const Tensor& p : group.params()) {
      if (!p.grad().defined()) continue;
      if (set_to_none)
        p.mutable_grad() = Tensor();
      else
        p.mutable_grad().zero_();
    }
  }
}

std::vector<Tensor> Optimizer::parameters() const {
  std::vector<Tensor> all;
  for (const OptimizerParamGroup& group : param_groups_)
    all.insert(all.end(), group.params().begin(), group.params().end());
  return all;
}

size_t Optimizer::size() const {
  size_t n = 0;
  for (const OptimizerParamGroup& group : param_groups_) n += group.params().size();
  return n;
}

Tensor Optimizer::run_closure(const LossClosure& closure) {
  if (!closure) return Tensor();
  EnableGradGuard grad_on;
  return closure();
}

// ---- named options ----------------------------------------------------------------------------------------

namespace {

// Finds one double field by name and reads or writes it.
class OptionAccess : public FieldVisitor {
 public:
  OptionAccess(const std::string& name, double* read, const double* write) : name_(name), read_(read), write_(write) {}
  void field(const char* name, double& value) override {
    if (name_ != name) return;
    found = true;
    if (read_) *read_ = value;
    if (write_) value = *write_;
  }
  void field(const char*, bool&) override {}
  void field(const char*, int64_t&) override {}
  void field(const char*, Tensor&) override {}
  void field_any_shape(const char*, Tensor&) override {}
  void field(const char*, std::vector<Tensor>&) override {}
  bool found = false;

 private:
  const std::string& name_;
  double* read_;
  const double* write_;
};

}  // namespace

bool get_option(OptimizerOptions& options, const std::string& name, double& value) {
  OptionAccess access(name, &value, nullptr);
  options.visit(access);
  return access.found;
}

bool set_option(OptimizerOptions& options, const std::string& name, double value) {
  OptionAccess access(name, nullptr, &value);
  options.visit(access);
  return access.found;
}

// ---- state_dict -------------------------------------------------------------------------------------------

namespace {

// Writes every field under `prefix` into a map: numbers as float64 scalars (state counters as float32, as
// PyTorch 1.13 keeps `step`), tensors as they are (undefined ones are absent).
class Collect : public FieldVisitor {
 public:
  Collect(std::map<std::string, Tensor>& out, std::string prefix) : out_(out), prefix_(std::move(prefix)) {}
  void field(const char* name, double& value) override { out_[prefix_ + name] = scalar_tensor(value, kDouble); }
  void field(const char* name, bool& value) override {
    out_[prefix_ + name] = scalar_tensor(value ? 1.0 : 0.0, kDouble);
  }
  void field(const char* name, int64_t& value) override { out_[prefix_ + name] = scalar_tensor(double(value), kFloat); }
  void field(const char* name, Tensor& value) override {
    if (value.defined()) out_[prefix_ + name] = value;
  }
  void field_any_shape(const char* name, Tensor& value) override { field(name, value); }
  void field(const char* name, std::vector<Tensor>& value) override {
    std::vector<Tensor> defined;
    for (const Tensor& t : value) {
      if (!t.defined()) break;
      defined.push_back(t);
    }
    if (!defined.empty()) out_[prefix_ + name] = stack(defined);
  }

 private:
  std::map<std::string, Tensor>& out_;
  std::string prefix_;
};

// Reads every field under `prefix` from a map, noting what is missing or malformed. Tensor fields take the
// parameter's device and dtype and must have its shape; optional ones (momentum buffers, ...) may be absent.
class Restore : public FieldVisitor {
 public:
  Restore(const std::map<std::string, Tensor>& in, std::string prefix, const Tensor* param, std::set<std::string>& used,
          std::vector<std::string>& problems, bool options)
      : in_(in), prefix_(std::move(prefix)), param_(param), used_(used), problems_(problems), options_(options) {}
  void field(const char* name, double& value) override {
    if (const Tensor* t = scalar(name)) value = t->item<double>();
  }
  void field(const char* name, bool& value) override {
    if (const Tensor* t = scalar(name)) value = t->item<double>() != 0;
  }
  void field(const char* name, int64_t& value) override {
    if (const Tensor* t = scalar(name)) value = int64_t(t->item<double>());
  }
  void field(const char* name, Tensor& value) override {
    const std::string key = prefix_ + name;
    auto it = in_.find(key);
    if (it == in_.end()) return;
    used_.insert(key);
    if (!it->second.sizes().equals(param_->sizes())) {
      problems_.push_back("shape mismatch for '" + key + "': the file has " + shape_str(it->second.sizes()) +
                          ", the parameter is " + shape_str(param_->sizes()));
      return;
    }
    value = it->second.to(param_->device(), param_->dtype(), /*copy=*/true);
  }
  void field_any_shape(const char* name, Tensor& value) override {
    const std::string key = prefix_ + name;
    auto it = in_.find(key);
    if (it == in_.end()) return;
    used_.insert(key);
    value = it->second.to(param_->device(), param_->dtype(), /*copy=*/true);
  }
  void field(const char* name, std::vector<Tensor>& value) override {
    const std::string key = prefix_ + name;
    auto it = in_.find(key);
    if (it == in_.end()) return;
    used_.insert(key);
    if (it->second.dim() == 0) {
      problems_.push_back("'" + key + "' should be a list stacked along a first dim, it is a 0-dim tensor");
      return;
    }
    value = it->second.to(param_->device(), param_->dtype(), /*copy=*/true).unbind(0);
  }

 private:
  const Tensor* scalar(const char* name) {
    const std::string key = prefix_ + name;
    auto it = in_.find(key);
    if (it == in_.end()) {
      if (options_) problems_.push_back("missing key '" + key + "'");
      return nullptr;
    }
    used_.insert(key);
    if (it->second.numel() != 1) {
      problems_.push_back("'" + key + "' should hold one number, it has shape " + shape_str(it->second.sizes()));
      return nullptr;
    }
    return &it->second;
  }

  const std::map<std::string, Tensor>& in_;
  std::string prefix_;
  const Tensor* param_;
  std::set<std::string>& used_;
  std::vector<std::string>& problems_;
  bool options_;
};

}  // namespace

std::map<std::string, Tensor> Optimizer::state_dict() const {
  std::map<std::string, Tensor> out;
  int64_t index = 0;
  for (size_t g = 0; g < param_groups_.size(); ++g) {
    const OptimizerParamGroup& group = param_groups_[g];
    const std::string prefix = "param_groups." + std::to_string(g) + ".";
    Collect collect(out, prefix);
    const_cast<OptimizerOptions&>(group.options()).visit(collect);
    std::vector<int64_t> indices;
    for (const Tensor& p : group.params()) {
      indices.push_back(index);
      auto it = state_.find(p.impl());
      if (it != state_.end()) {
        Collect state(out, "state." + std::to_string(index) + ".");
        it->second->visit(state);
      }
      ++index;
    }
    out[prefix + "params"] = wick::tensor(indices);
  }
  return out;
}

void Optimizer::load_state_dict(const std::map<std::string, Tensor>& dict) {
  std::vector<std::string> problems;
  std::set<std::string> used;
  std::vector<std::unique_ptr<OptimizerOptions>> options;
  std::unordered_map<TensorImpl*, std::unique_ptr<OptimizerParamState>> state;
  int64_t index = 0;
  for (size_t g = 0; g < param_groups_.size(); ++g) {
    const OptimizerParamGroup& group = param_groups_[g];
    const std::string prefix = "param_groups." + std::to_string(g) + ".";
    options.push_back(group.options().clone());
    Restore restore(dict, prefix, nullptr, used, problems, /*options=*/true);
    options.back()->visit(restore);
    const std::string params_key = prefix + "params";
    auto it = dict.find(params_key);
    if (it == dict.end()) {
      problems.push_back("missing key '" + params_key + "'");
    } else {
      used.insert(params_key);
      if (it->second.numel() != int64_t(group.params().size()))
        problems.push_back("parameter group " + std::to_string(g) + " has " + std::to_string(group.params().size()) +
                           " parameters, the saved one " + std::to_string(it->second.numel()));
    }
    for (const Tensor& p : group.params()) {
      const std::string state_prefix = "state." + std::to_string(index) + ".";
      auto first = dict.lower_bound(state_prefix);
      if (first != dict.end() && first->first.compare(0, state_prefix.size(), state_prefix) == 0) {
        std::unique_ptr<OptimizerParamState> s = make_state();
        Restore restore_state(dict, state_prefix, &p, used, problems, /*options=*/false);
        s->visit(restore_state);
        check_loaded_state(*s, state_prefix, problems);
        state[p.impl()] = std::move(s);
      }
      ++index;
    }
  }
  for (const auto& [key, value] : dict)
    if (!used.count(key)) problems.push_back("unexpected key '" + key + "'");
  if (!problems.empty()) {
    std::string message = std::string("wick::optim::") + name() + "::load_state_dict: the saved state does not fit:";
    for (const std::string& p : problems) message += "\n  " + p;
    detail::throw_error(message);
  }
  for (size_t g = 0; g < param_groups_.size(); ++g) param_groups_[g].set_options(std::move(options[g]));
  state_ = std::move(state);
}

}  // namespace wick::optim
