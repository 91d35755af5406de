#include "wick/type_meta.h"

#include <ostream>

namespace wick {

const char* TypeMeta::name() const {
  // LibTorch takes these from typeid(T).name() demangled, so they are the C++ element types' names; Half and
  // BFloat16 are c10's classes there.
  static const char* names[] = {"bool",      "unsigned char", "signed char", "int",   "long int",
                                "c10::Half", "c10::BFloat16", "float",       "double"};
  static_assert(sizeof(names) / sizeof(names[0]) == kNumScalarTypes);
  return names[int(type_)];
}

std::ostream& operator<<(std::ostream& os, TypeMeta t) { return os << t.name(); }

}  // namespace wick
