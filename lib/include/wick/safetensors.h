// safetensors, wick's native weight format (https://github.com/huggingface/safetensors): an 8-byte
// little-endian header length, a JSON header {"name": {"dtype", "shape", "data_offsets"}, "__metadata__"},
// then the raw little-endian data. Files written by PyTorch's safetensors load here and vice versa.
// dtypes: BOOL, U8, I32, I64, F16, BF16, F32, F64.
#pragma once

#include <map>
#include <string>

#include "wick/tensor.h"

namespace wick {

using TensorDict = std::map<std::string, Tensor>;

// Memory-maps the file privately (copy-on-write): the tensors alias the mapping, which stays alive while
// any of them does, and writing into them never changes the file. (As with any mmap, the file should not
// be truncated in place while its tensors live; save_safetensors replaces files by rename, which is safe.)
// Misaligned or empty tensors are copied instead. The whole header is validated before any tensor is
// made: a malformed or truncated file (bad header length, bad JSON, unknown dtype, offsets out of range,
// overlapping, leaving gaps or not matching shape x dtype) throws wick::Error naming the file and problem.
TensorDict load_safetensors(const std::string& path);
// Just the "__metadata__" strings (the file is validated as by load_safetensors).
std::map<std::string, std::string> load_safetensors_metadata(const std::string& path);

// Writes to a temporary file in the same directory (".<name>.wick-tmp.<host>.<pid>.<n>"), flushes it to disk,
// then renames it over `path`: a crash mid-save leaves the previous file intact. Temporary files left there by
// writers on this host that have since died are deleted first, so repeated crashes do not fill the disk.
// CUDA tensors are copied to the host first; views are written contiguously. Tensors are laid out in name
// order, 8-byte aligned.
void save_safetensors(const std::string& path, const TensorDict& tensors,
                      const std::map<std::string, std::string>& metadata = {});

}  // namespace wick
