#include "wick/device.h"

#include <cstdlib>
#include <ostream>

#include "wick/error.h"

namespace wick {

Device::Device(const std::string& spec) {
  std::string kind = spec;
  int idx = 0;
  if (auto colon = spec.find(':'); colon != std::string::npos) {
    kind = spec.substr(0, colon);
    const std::string number = spec.substr(colon + 1);
    char* end = nullptr;
    long v = std::strtol(number.c_str(), &end, 10);
    WICK_CHECK(!number.empty() && *end == '\0' && v >= 0 && v < 128, "Device", "invalid device index in '", spec, "'");
    idx = int(v);
  }
  if (kind == "cpu")
    type = DeviceType::CPU;
  else if (kind == "cuda")
    type = DeviceType::CUDA;
  else
    fail("Device", "unknown device '", spec, "' (expected 'cpu', 'cuda' or 'cuda:N')");
  index = int8_t(idx);
}

std::string Device::str() const { return is_cpu() ? std::string("cpu") : "cuda:" + std::to_string(int(index)); }

std::ostream& operator<<(std::ostream& os, const Device& d) { return os << d.str(); }

}  // namespace wick
