// summary(): while a SummaryScope is open on a thread, every built-in layer's forward reports its output
// here (Module::traced), named by its place in the model's tree.
#include "wick/nn/summary.h"

#include <algorithm>
#include <ostream>
#include <sstream>
#include <unordered_map>

namespace wick::nn {

namespace detail {
std::string demangle(const char* mangled);
}

namespace {

thread_local detail::SummaryScope::State* t_recorder = nullptr;  // the open scope on this thread

// "wick::nn::ConvImpl<2ul>" -> "Conv2d"; "NetImpl" -> "Net".
std::string short_type(const Module& m) {
  std::string s = m.name();
  if (const size_t colon = s.rfind("::"); colon != std::string::npos && s.find('<') == std::string::npos)
    s = s.substr(colon + 2);
  static const std::pair<const char*, const char*> templated[] = {
      {"ConvImpl<1", "Conv1d"},         {"ConvImpl<2", "Conv2d"},         {"ConvTransposeImpl<1", "ConvTranspose1d"},
      {"ConvTransposeImpl<2", "ConvTranspose2d"}, {"MaxPoolImpl<1", "MaxPool1d"}, {"MaxPoolImpl<2", "MaxPool2d"},
      {"AvgPoolImpl<1", "AvgPool1d"},   {"AvgPoolImpl<2", "AvgPool2d"},   {"AdaptiveAvgPoolImpl<1", "AdaptiveAvgPool1d"},
      {"AdaptiveAvgPoolImpl<2", "AdaptiveAvgPool2d"}, {"BatchNormImpl<1", "BatchNorm1d"}, {"BatchNormImpl<2", "BatchNorm2d"}};
  for (const auto& [pattern, name] : templated)
    if (s.find(pattern) != std::string::npos) return name;
  if (s.size() > 4 && s.compare(s.size() - 4, 4, "Impl") == 0) s.resize(s.size() - 4);
  return s;
}

std::string shape_text(const std::vector<int64_t>& shape) { return shape_str(IntArrayRef(shape)); }

std::string with_commas(int64_t n) {
  std::string digits = std::to_string(n < 0 ? -n : n), out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return n < 0 ? "-" + out : out;
}

}  // namespace

namespace detail {
struct SummaryScope::State {
  Module* root = nullptr;
  std::vector<int64_t> input_shape;
  std::unordered_map<const Module*, std::string> names;
  // Each module's training flag, parents before children: train() recurses, so restoring in this order
  // leaves every module with its own flag.
  std::vector<std::pair<Module*, bool>> modes;
  std::vector<SummaryRow> rows;
  State* previous = nullptr;
  bool finished = false;
};
}  // namespace detail

namespace detail {

SummaryScope::SummaryScope(Module& root, IntArrayRef input_shape) : state_(new State) {
  state_->root = &root;
  state_->input_shape = input_shape.vec();
  for (const auto& m : root.named_modules()) {
    state_->names.emplace(m.value().get(), m.key().empty() ? "(root)" : m.key());
    state_->modes.emplace_back(m.value().get(), m.value()->is_training());
  }
  root.eval();  // no running-statistics updates, no dropout
  state_->previous = t_recorder;
  t_recorder = state_;
}

SummaryScope::~SummaryScope() {
  if (!state_->finished) {
    t_recorder = state_->previous;
    for (auto& [m, training] : state_->modes) m->train(training);
  }
  delete state_;
}

Summary SummaryScope::finish(const Tensor& output) {
  Summary s;
  s.rows = std::move(state_->rows);
  s.input_shape = state_->input_shape;
  if (output.defined()) s.output_shape = output.sizes().vec();
  s.total_parameters = state_->root->num_parameters(false);
  s.trainable_parameters = state_->root->num_parameters(true);
  t_recorder = state_->previous;
  for (auto& [m, training] : state_->modes) m->train(training);
  state_->finished = true;
  return s;
}

}  // namespace detail

const Tensor& Module::traced(const Tensor& output) const {
  if (__builtin_expect(t_recorder == nullptr, 1)) return output;
  auto* st = t_recorder;
  auto it = st->names.find(this);
  if (it == st->names.end()) return output;  // a module outside the summarised model
  SummaryRow row;
  row.name = it->second;
  row.type = short_type(*this);
  row.output_shape = output.sizes().vec();
  row.num_parameters = num_parameters(false) - [&] {
    int64_t children = 0;
    for (const auto& c : children_) children += c.value()->num_parameters(false);
    return children;
  }();
  st->rows.push_back(std::move(row));
  return output;
}

std::string Summary::str() const {
  size_t name_width = 20, shape_width = 20;
  for (const SummaryRow& r : rows) {
    name_width = std::max(name_width, r.name.size() + r.type.size() + 4);
    shape_width = std::max(shape_width, shape_text(r.output_shape).size() + 2);
  }
  const size_t param_width = 12, total = name_width + shape_width + param_width;
  auto pad = [](std::string s, size_t w) {
    s.resize(std::max(s.size(), w), ' ');
    return s;
  };
  auto rpad = [](const std::string& s, size_t w) { return std::string(w > s.size() ? w - s.size() : 0, ' ') + s; };
  std::ostringstream o;
  const std::string rule(total, '-'), double_rule(total, '=');
  o << rule << '\n'
    << pad("Layer (type)", name_width) << pad("Output Shape", shape_width) << rpad("Param #", param_width) << '\n'
    << double_rule << '\n';
  for (const SummaryRow& r : rows)
    o << pad(r.name + " (" + r.type + ")", name_width) << pad(shape_text(r.output_shape), shape_width)
      << rpad(with_commas(r.num_parameters), param_width) << '\n';
  o << double_rule << '\n'
    << "Input shape: " << shape_text(input_shape) << '\n'
    << "Output shape: " << shape_text(output_shape) << '\n'
    << "Total params: " << with_commas(total_parameters) << '\n'
    << "Trainable params: " << with_commas(trainable_parameters) << '\n'
    << "Non-trainable params: " << with_commas(total_parameters - trainable_parameters) << '\n'
    << rule << '\n';
  return o.str();
}

std::ostream& operator<<(std::ostream& stream, const Summary& summary) { return stream << summary.str(); }

}  // namespace wick::nn
