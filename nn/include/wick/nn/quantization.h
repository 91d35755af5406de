// PyTorch's torch.ao.quantization.quantize_dynamic for C++ models: a copy of the model whose layers of the kinds
// asked for hold int8 weights (per-output-channel symmetric scales, as PyTorch's per_channel_dynamic_qconfig) and
// quantize their activations on each call. It works on any model made of built-in layers, including a custom
// module's members (`nn::Linear fc1` fields): each quantized layer changes in place inside the copy, so the model's
// own forward() runs it unchanged. Its state_dict keeps PyTorch's float names for the int8 weights and adds each
// one's scales: "<layer>.weight" (int8 [out, in]) and "<layer>.weight_scale" (float32 [out]) beside "<layer>.bias";
// for LSTM/GRU "weight_ih_l0" and "weight_ih_l0_scale", ... So wick::save / wick::load round-trip it through
// safetensors, and a float PyTorch state_dict loads into the float model before quantizing.
#pragma once

#include <initializer_list>
#include <memory>
#include <set>
#include <string>

#include "wick/nn/module.h"

namespace wick::quantization {

// The layer kinds quantize_dynamic can convert (PyTorch's default set for quantize_dynamic's qint8).
enum class Layer { Linear, LSTM, GRU };

// Quantizes, in place, every layer of `module` (itself included) whose kind is in `layers`; returns how many.
int64_t quantize_dynamic_(nn::Module& module,
                          std::initializer_list<Layer> layers = {Layer::Linear, Layer::LSTM, Layer::GRU});

// A deep copy (clone()) of `model` with its layers of the given kinds quantized; the model itself is unchanged.
std::shared_ptr<nn::Module> quantize_dynamic(const nn::Module& model, std::initializer_list<Layer> layers = {
                                                                          Layer::Linear, Layer::LSTM, Layer::GRU});
// Only the named submodules (as named_modules() names them) and the layers inside them, whatever their kind:
// PyTorch's quantize_dynamic(model, {"2": qconfig, "4": qconfig}). For a policy whose observations mix scales
// (positions, velocities, targets), keeping the first layer float keeps small inputs visible: a per-call
// activation scale spreads 127 steps over the widest feature's range. Throws when a name matches no submodule.
int64_t quantize_dynamic_(nn::Module& module, const std::set<std::string>& names);
std::shared_ptr<nn::Module> quantize_dynamic(const nn::Module& model, const std::set<std::string>& names);

// The same for a module holder (nn::Sequential, nn::LSTM, a WICK_MODULE of your own), returned as its own type.
template <class Holder>
requires requires { typename Holder::ContainedType; }
Holder quantize_dynamic(const Holder& model,
                        std::initializer_list<Layer> layers = {Layer::Linear, Layer::LSTM, Layer::GRU}) {
  return Holder(std::dynamic_pointer_cast<typename Holder::ContainedType>(quantize_dynamic(*model, layers)));
}
template <class Holder>
requires requires { typename Holder::ContainedType; }
Holder quantize_dynamic(const Holder& model, const std::set<std::string>& names) {
  return Holder(std::dynamic_pointer_cast<typename Holder::ContainedType>(quantize_dynamic(*model, names)));
}

}  // namespace wick::quantization
