// One capture of a compiled step. While a Capture is installed on a thread (backend_registry.h's hook), every
// backend the thread's ops ask for is a recording proxy: each primitive runs for real and is also written into a
// Recording, its views' memory resolved to arguments, blocks allocated during the capture, memory that existed
// before, or constants. lib/ code that touches tensor memory on the host, where no backend sees it, reports it
// through the free functions at the bottom.
#pragma once

#include <map>
#include <memory>
#include <span>
#include <string>

#include "backend_registry.h"
#include "recording.h"
#include "wick/random.h"
#include "wick/tensor.h"

namespace wick::detail::compile {

class RecordingBackend;

class Capture final : public CaptureHook {
 public:
  explicit Capture(std::span<const Tensor> inputs);
  ~Capture();
  Capture(const Capture&) = delete;
  Capture& operator=(const Capture&) = delete;

  Backend& backend(DeviceType type) override;

  // Ends the capture (the hook must be uninstalled already) and hands over what it saw.
  Recording finish();

  // ---- what the recording proxies report ----
  Step& add_step(DeviceType device, std::string label, StepClass kind, std::initializer_list<const View*> views,
                std::vector<std::byte> params, Launch launch);
  void add_random(DeviceType device, const View& out, RandomKind kind, double a, double b, uint64_t seed,
                  uint64_t offset);
  void add_guard(DeviceType device, const View& source, const void* host_bytes, size_t nbytes, int device_index);
  void add_host_upload(void* dst, const void* src, size_t nbytes, DeviceType device, int device_index);
  void on_allocate(DeviceType device, int device_index, void* ptr, size_t nbytes);
  void on_deallocate(void* ptr, size_t nbytes);
  void mark_unreplayable(std::string why);
  void add_host_scalar(const void* data, size_t nbytes);

 private:
  ViewRecord record_view(const View& v);
  BufferRef resolve(const View& v);

  struct InputRange {
    uintptr_t begin, end, data;
  };
  std::vector<InputRange> inputs_;
  std::map<uintptr_t, int> live_blocks_;  // block start -> block id
  uintptr_t stack_begin_ = 0, stack_end_ = 0;
  std::vector<std::pair<uintptr_t, size_t>> host_scalars_;  // for the next step only
  RandomSlice random_start_{};
  std::unique_ptr<RecordingBackend> proxies_[kNumDeviceTypes];
  std::vector<std::pair<uintptr_t, int>> external_uses_;  // (address, step): what an early free would break
  Recording recording_;
};

// The calling thread's capture, or nullptr.
Capture* active_capture();

}  // namespace wick::detail::compile

namespace wick::detail {
// Host code in lib/ that writes a tensor's memory directly (creation from host values) calls this afterwards, so
// that a capture carries the bytes as a constant; code whose result depends on values read on the host directly
// (nonzero's output shape, typed data_ptr() in user code) calls note_host_dependence. Both do nothing (one
// thread-local load) outside a capture.
void note_host_write(const Tensor& written);
// A scalar operand in host memory that lives for the next primitive call only (elementwise.cpp keeps CPU scalars on
// the stack): a capture carries its value as a constant.
void note_host_scalar(const void* data, size_t nbytes);
void note_host_dependence(const char* what);
}  // namespace wick::detail
