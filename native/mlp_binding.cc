// Placeholder: the mlp module registers its glue here.
#include "bindings.h"

namespace spreadvec {

void InitMlpBinding(Napi::Env, Napi::Object) {}

}  // namespace spreadvec
