// The control policies behind wick_c.h: the standard architectures an engine or a robot runs (an MLP, a GRU or
// LSTM with a linear head), built from a small JSON config with the module tree PyTorch's equivalent has, so
// that a state_dict saved in PyTorch loads by name. Errors are wick::Errors naming the C function.
#pragma once

#include <memory>
#include <set>
#include <string>
#include <string_view>

#include "wick/nn.h"

namespace wick::c_api {

class Policy {
 public:
  virtual ~Policy() = default;
  // Parses the config (see wick_c.h) and builds the policy with freshly initialised weights.
  static std::unique_ptr<Policy> create(std::string_view json_config);

  // Loads every parameter by name from a safetensors file (strict). An int8 policy ("quantized": "int8") takes
  // float weights (a PyTorch state_dict), quantized once loaded, or the int8 weights of a quantized wick model.
  void load(const std::string& path);
  // observation [B, input] or [input], float32 -> action [B, output] or [output]. Runs under InferenceMode.
  virtual Tensor forward(const Tensor& observation) = 0;
  // Forgets the recurrent state (a new episode).
  virtual void reset() {}

  int64_t input_size() const { return input_size_; }
  int64_t output_size() const { return output_size_; }

 protected:
  Policy(std::shared_ptr<nn::Module> module, int64_t input_size, int64_t output_size)
      : module_(std::move(module)), input_size_(input_size), output_size_(output_size) {}
  // Throws unless `observation` is a float32 [B, input] or [input] tensor.
  void check_observation(const Tensor& observation) const;
  // Called after the weights change (the recurrent policy keeps handles to its layer's parameters).
  virtual void weights_loaded() {}

  std::shared_ptr<nn::Module> module_;
  int64_t input_size_, output_size_;

 private:
  void quantize(nn::Module& module) const;  // the layers the config names, or all of them

  bool int8_ = false;                  // the config asked for int8 layers
  bool quantized_ = false;             // and they are int8 now
  std::set<std::string> int8_layers_;  // "int8_layers"; empty: every Linear, GRU and LSTM
};

}  // namespace wick::c_api
