// Placeholder: the scan module registers its glue here.
#include "bindings.h"

namespace spreadvec {

void InitScanBinding(Napi::Env, Napi::Object) {}

}  // namespace spreadvec
