// Placeholder: the codec module registers its glue here.
#include "bindings.h"

namespace spreadvec {

void InitCodecBinding(Napi::Env, Napi::Object) {}

}  // namespace spreadvec
