// Forwarding header: the trainer's exact k-NN (knn_l2_topk) is the k-NN kernel's
// (knn.h). Kept only while mlp_binding.cc includes this name; delete it once that
// include reads "knn.h".
#pragma once
#include "knn.h"
