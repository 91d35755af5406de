// wick::save / wick::load over safetensors: a module's state_dict, or an optimizer's.
#include "wick/serialize.h"

#include <map>
#include <set>

#include "wick/grad_mode.h"
#include "wick/nn/module.h"
#include "wick/optim/optimizer.h"
#include "wick/safetensors.h"

namespace wick {

namespace {

std::string join(const std::vector<std::string>& items) {
  std::string out;
  for (const std::string& s : items) out += (out.empty() ? "" : ", ") + s;
  return out;
}

}  // namespace

void save(const nn::Module& module, const std::string& path) {
  std::map<std::string, Tensor> tensors;
  for (const auto& item : module.state_dict()) tensors[item.key()] = item.value().detach();
  save_safetensors(path, tensors, {{"wick.kind", "module"}, {"wick.type", module.name()}});
}

void load(nn::Module& module, const std::string& path, bool strict) {
  const std::map<std::string, Tensor> file = load_safetensors(path);
  const auto own = module.state_dict();
  std::vector<std::string> missing, unexpected, mismatched;
  for (const auto& item : own) {
    auto it = file.find(item.key());
    if (it == file.end()) {
      missing.push_back(item.key());
    } else if (!it->second.sizes().equals(item.value().sizes())) {
      mismatched.push_back("'" + item.key() + "': the file has " + shape_str(it->second.sizes()) + ", the module " +
                           shape_str(item.value().sizes()));
    }
  }
  for (const auto& [key, value] : file)
    if (!own.contains(key)) unexpected.push_back(key);
  if (!mismatched.empty() || (strict && (!missing.empty() || !unexpected.empty()))) {
    std::string message = "wick::load: " + path + " does not fit the module " + module.name() + ":";
    if (!missing.empty()) message += "\n  missing keys: " + join(missing);
    if (!unexpected.empty()) message += "\n  unexpected keys: " + join(unexpected);
    for (const std::string& m : mismatched) message += "\n  shape mismatch for " + m;
    detail::throw_error(message);
  }
  NoGradGuard no_grad;
  for (const auto& item : own) {
    auto it = file.find(item.key());
    if (it != file.end()) item.value().copy_(it->second);
  }
}

void save(const optim::Optimizer& optimizer, const std::string& path) {
  save_safetensors(path, optimizer.state_dict(), {{"wick.kind", "optimizer"}, {"wick.type", optimizer.name()}});
}

void load(optim::Optimizer& optimizer, const std::string& path) { optimizer.load_state_dict(load_safetensors(path)); }

}  // namespace wick
