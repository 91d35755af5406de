// One object per thread, made on the thread's first use and destroyed when the thread exits, that code running
// after the thread's TLS destructors can still ask for: it then gets nullptr and takes its slow path. The
// per-thread caches (the CPU allocator's blocks, the tensor and tape entry pools, the profiler's event buffer) need
// this, because a tensor can die after them: a thread_local Tensor declared before the thread's first op is
// destroyed after the caches that op created, and a static holding tensors is destroyed after the main thread's.
#pragma once

namespace wick::detail {

template <class T>
class PerThread {
 public:
  // This thread's T, made on first use; nullptr once the thread is exiting and its T is gone.
  static T* get() {
    if (!t_object && !t_gone) {
      t_object = new T;
      t_reaper.armed = true;  // constructs the reaper, so its destructor runs at this thread's exit
    }
    return t_object;
  }
  // This thread's T if it has one, without making it.
  static T* peek() { return t_object; }

 private:
  // The object is held by pointer: the TLS stays a few bytes, so the library can use the initial-exec TLS model and
  // still be dlopen'ed. The state lives in plain TLS variables, not in the object being destroyed, whose stores the
  // optimiser may drop (it did, at -O3). T's destructor may free tensors itself, so it runs after get() already
  // answers nullptr.
  struct Reaper {
    bool armed = false;
    ~Reaper() {
      T* object = t_object;
      t_object = nullptr;
      t_gone = true;
      delete object;
    }
  };
  static inline thread_local T* t_object = nullptr;
  static inline thread_local bool t_gone = false;
  static inline thread_local Reaper t_reaper;
};

}  // namespace wick::detail
