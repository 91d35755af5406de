// Saving and loading weights, optimizer state and tensors as safetensors, as LibTorch's torch::save / torch::load:
//   wick::save(model, "model.safetensors");      wick::load(model, "model.safetensors");
//   wick::save(optimizer, "optim.safetensors");  wick::load(optimizer, "optim.safetensors");
// Keys are PyTorch's state_dict keys ("conv1.weight"), so a file moves between wick and PyTorch by name.
// Loading is strict: missing keys, unexpected keys and shape mismatches all throw one wick::Error that lists
// them (LibTorch silently loads a wrong shape; wick does not), and nothing is changed then. Writes go to a
// temporary file that is renamed into place, so a crash mid-save leaves the previous file intact.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "wick/device.h"

namespace wick {

class Tensor;

namespace nn {
class Module;
template <class Contained>
class ModuleHolder;
}  // namespace nn
namespace optim {
class Optimizer;
}  // namespace optim

// Every parameter and buffer, under its state_dict key.
void save(const nn::Module& module, const std::string& path);
// Copies the file's tensors into the module's parameters and buffers (converting dtype and device). With
// strict=false, missing and unexpected keys are tolerated; a shape mismatch never is.
void load(nn::Module& module, const std::string& path, bool strict = true);

template <class M>
void save(const nn::ModuleHolder<M>& module, const std::string& path) {
  save(static_cast<const nn::Module&>(*module.ptr()), path);
}
template <class M>
void load(const nn::ModuleHolder<M>& module, const std::string& path, bool strict = true) {
  load(static_cast<nn::Module&>(*module.ptr()), path, strict);
}

// A tensor, or a list of tensors, as LibTorch's torch::save(tensor, path) and torch::load(tensor, path): a
// safetensors file holding it under "tensor" (a list: "0", "1", ...), its requires_grad in the metadata. load
// replaces the handle with the file's tensor, on the CPU or on `device`; a file of another kind (a module's
// weights, a list where one tensor is expected) is an error that says what the file holds.
void save(const Tensor& tensor, const std::string& path);
void load(Tensor& tensor, const std::string& path, std::optional<Device> device = std::nullopt);
void save(const std::vector<Tensor>& tensors, const std::string& path);
void load(std::vector<Tensor>& tensors, const std::string& path, std::optional<Device> device = std::nullopt);

// The optimizer's state_dict() (hyper-parameters and per-parameter state).
void save(const optim::Optimizer& optimizer, const std::string& path);
// Restores it with load_state_dict(): the optimizer must be of the same kind, over parameters of the same shapes.
void load(optim::Optimizer& optimizer, const std::string& path);

}  // namespace wick
