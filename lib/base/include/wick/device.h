// Where a tensor's memory lives.
#pragma once

#include <cstdint>
#include <iosfwd>
#include <string>

namespace wick {

enum class DeviceType : uint8_t {
#define WICK_DEVICE(name, spelling) name,
#include "wick/devices.def"
};
inline constexpr const char* kDeviceTypeNames[] = {
#define WICK_DEVICE(name, spelling) spelling,
#include "wick/devices.def"
};
inline constexpr int kNumDeviceTypes = int(sizeof(kDeviceTypeNames) / sizeof(kDeviceTypeNames[0]));
inline constexpr DeviceType kCPU = DeviceType::CPU;
inline constexpr DeviceType kCUDA = DeviceType::CUDA;

struct Device {
  DeviceType type = DeviceType::CPU;
  int8_t index = 0;

  constexpr Device() = default;
  constexpr Device(DeviceType t, int i = 0) : type(t), index(int8_t(i)) {}
  Device(const std::string& spec);  // a name of devices.def, with an index or not: "cpu", "cuda", "cuda:1"
  Device(const char* spec) : Device(std::string(spec)) {}

  constexpr bool is_cpu() const { return type == DeviceType::CPU; }
  constexpr bool is_cuda() const { return type == DeviceType::CUDA; }
  constexpr bool operator==(const Device& o) const { return type == o.type && index == o.index; }
  constexpr bool operator!=(const Device& o) const { return !(*this == o); }
  std::string str() const;  // "cpu" (the host has one), else with the index: "cuda:0"
};
std::ostream& operator<<(std::ostream& os, const Device& d);  // as str()

}  // namespace wick
