// The extern "C" layer of wick_c.h: every entry point catches everything, turns it into a status code and keeps
// the message for wick_last_error(), so no C++ exception ever unwinds into the caller's C frames.
#include "wick_c.h"

#include <cstring>
#include <new>
#include <string>

#include "policy.h"
#include "wick/detail/shape_of.h"
#include "wick/deterministic_numerics.h"

struct wick_tensor {
  wick::Tensor tensor;
};
struct wick_policy {
  std::unique_ptr<wick::c_api::Policy> policy;
};

namespace {

thread_local std::string t_last_error;

// Keeps the message for wick_last_error(); without memory for it, the status code still says what happened.
wick_status failed(wick_status status, const char* message) noexcept {
  try {
    t_last_error = message;
  } catch (...) {}
  return status;
}

// Runs `body` (returning nothing) and maps what it throws: wick::Error to `error_status`, std::bad_alloc to
// WICK_ERROR_OUT_OF_MEMORY, anything else to WICK_ERROR_INTERNAL.
template <class F>
wick_status guarded(wick_status error_status, F&& body) noexcept {
  try {
    body();
    return WICK_OK;
  } catch (const wick::Error& e) {
    return failed(error_status, e.what());
  } catch (const std::bad_alloc&) {
    return failed(WICK_ERROR_OUT_OF_MEMORY, "wick: out of memory");
  } catch (const std::exception& e) {
    return failed(WICK_ERROR_INTERNAL, e.what());
  } catch (...) {
    return failed(WICK_ERROR_INTERNAL, "wick: unknown error");
  }
}

wick_status null_argument(const char* function, const char* argument) noexcept {
  try {
    t_last_error = std::string("wick::") + function + ": " + argument + " is NULL";
  } catch (...) {}
  return WICK_ERROR_ARGUMENT;
}

}  // namespace

extern "C" {

const char* wick_last_error(void) { return t_last_error.c_str(); }
const char* wick_version(void) { return WICK_VERSION; }  // meson.build's project version

int wick_set_deterministic_numerics(int on) { return wick::set_deterministic_numerics(on != 0) ? 1 : 0; }

wick_status wick_tensor_from_buffer(float* data, const int64_t* shape, int ndim, wick_tensor** out) {
  if (!out) return null_argument("wick_tensor_from_buffer", "out");
  *out = nullptr;
  if (!data) return null_argument("wick_tensor_from_buffer", "data");
  if (!shape) return null_argument("wick_tensor_from_buffer", "shape");
  return guarded(WICK_ERROR_ARGUMENT, [&] {
    WICK_CHECK(ndim >= 1 && ndim <= 8, "wick_tensor_from_buffer", "expected 1 to 8 dims, got ", ndim);
    const wick::IntArrayRef sizes(shape, size_t(ndim));
    for (int64_t s : sizes)
      WICK_CHECK(s >= 0, "wick_tensor_from_buffer", "negative size in shape ", wick::shape_str(sizes));
    *out = new wick_tensor{wick::from_blob(data, sizes)};
  });
}

wick_status wick_tensor_shape(const wick_tensor* tensor, int64_t* shape, int capacity, int* ndim) {
  if (!tensor) return null_argument("wick_tensor_shape", "tensor");
  if (!ndim) return null_argument("wick_tensor_shape", "ndim");
  if (!shape && capacity > 0) return null_argument("wick_tensor_shape", "shape");
  *ndim = int(tensor->tensor.dim());
  for (int d = 0; d < *ndim && d < capacity; ++d) shape[d] = tensor->tensor.size(d);
  return WICK_OK;
}

void wick_tensor_free(wick_tensor* tensor) { delete tensor; }

wick_status wick_policy_create(const char* json_config, wick_policy** out) {
  if (!out) return null_argument("wick_policy_create", "out");
  *out = nullptr;
  if (!json_config) return null_argument("wick_policy_create", "json_config");
  return guarded(WICK_ERROR_ARGUMENT,
                 [&] { *out = new wick_policy{wick::c_api::Policy::create(std::string_view(json_config))}; });
}

wick_status wick_policy_load(wick_policy* policy, const char* safetensors_path) {
  if (!policy) return null_argument("wick_policy_load", "policy");
  if (!safetensors_path) return null_argument("wick_policy_load", "safetensors_path");
  return guarded(WICK_ERROR_FILE, [&] { policy->policy->load(safetensors_path); });
}

wick_status wick_policy_forward(wick_policy* policy, const wick_tensor* observation, wick_tensor* action) {
  if (!policy) return null_argument("wick_policy_forward", "policy");
  if (!observation) return null_argument("wick_policy_forward", "observation");
  if (!action) return null_argument("wick_policy_forward", "action");
  return guarded(WICK_ERROR_ARGUMENT, [&] {
    const wick::Tensor result = policy->policy->forward(observation->tensor);
    const wick::Tensor& out = action->tensor;
    WICK_CHECK(out.sizes() == result.sizes(), "wick_policy_forward", "the action tensor is ",
               wick::shape_str(out.sizes()), " but the policy gives ", wick::shape_str(result.sizes()));
    // Both are contiguous float32: the action buffer is the caller's, the result the policy's.
    std::memcpy(out.data_ptr<float>(), result.contiguous().data_ptr<float>(), size_t(result.numel()) * sizeof(float));
  });
}

wick_status wick_policy_reset(wick_policy* policy) {
  if (!policy) return null_argument("wick_policy_reset", "policy");
  return guarded(WICK_ERROR_INTERNAL, [&] { policy->policy->reset(); });
}

int64_t wick_policy_input_size(const wick_policy* policy) { return policy ? policy->policy->input_size() : 0; }
int64_t wick_policy_output_size(const wick_policy* policy) { return policy ? policy->policy->output_size() : 0; }

void wick_policy_free(wick_policy* policy) { delete policy; }

}  // extern "C"
