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
  int found = -1;
  std::string known;
  for (int t = 0; t < kNumDeviceTypes; ++t) {
    if (kind == kDeviceTypeNames[t]) found = t;
    known += std::string(t ? ", '" : "'") + kDeviceTypeNames[t] + "'";
  }
  if (found < 0) fail("Device", "unknown device '", spec, "' (expected one of ", known, ", with ':N' or not)");
  type = DeviceType(found);
  index = int8_t(idx);
}

std::string Device::str() const {
  const std::string name = kDeviceTypeNames[int(type)];
  return is_cpu() ? name : name + ":" + std::to_string(int(index));
}

std::ostream& operator<<(std::ostream& os, const Device& d) { return os << d.str(); }

}  // namespace wick
