// Crash-safe file writing: bytes go to a temporary file next to the target, which is flushed and then renamed
// over it, so a reader (or a restarted job) sees the old file or the new one, never half of one. Used by every
// save in wick (safetensors, and through it checkpoints of modules and optimizers).
#pragma once

#include <cstddef>
#include <string>

namespace wick {

class AtomicFile {
 public:
  // Creates the temporary file (first deleting those that killed writers left in the directory). `op` names
  // the caller in errors.
  AtomicFile(std::string path, const char* op);
  // Without commit() (an error was thrown meanwhile), the temporary file is deleted and the target untouched.
  ~AtomicFile();
  AtomicFile(const AtomicFile&) = delete;
  AtomicFile& operator=(const AtomicFile&) = delete;

  void write(const void* data, size_t n);
  // Flushes the data to disk, renames the file over the target, and persists the rename.
  void commit();

 private:
  std::string path_, temp_;
  const char* op_;
  int fd_ = -1;
};

}  // namespace wick
