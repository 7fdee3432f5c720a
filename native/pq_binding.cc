// Placeholder: the pq module registers its glue here.
#include "bindings.h"

namespace spreadvec {

void InitPqBinding(Napi::Env, Napi::Object) {}

}  // namespace spreadvec
