// Placeholder: the exact k-NN / GEMM module registers its glue here.
#include "bindings.h"

namespace spreadvec {

void InitKnnBinding(Napi::Env, Napi::Object) {}

}  // namespace spreadvec
