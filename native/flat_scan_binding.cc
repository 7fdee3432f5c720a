// Glue of the flat exact scan (flat_scan.h):
//   flatScan(base, n, removed, dim, queries, k, metric, threads?) -> Promise<{ distances, slots, tieSlots, tieOffsets }>
//   flatScanSync(...)                                            -> { distances, slots, tieSlots, tieOffsets }
// base: Float32Array of at least n × dim values; removed: Uint8Array bitmap of at
// least ceil(n / 8) bytes, or null; queries: Float32Array nq × dim; metric: 'l2' |
// 'ip'. Results as decodeScan's (scan_binding.cc): nq × k, +Infinity / -1 padding,
// and the ties. The async form copies its inputs first, except those in a
// SharedArrayBuffer, which it reads in place (the Index keeps its vector arena
// there); changing them meanwhile changes the answer, never safety. The values are
// not checked: a NaN distance never enters a heap (flat_scan.h).
#include <napi.h>

#include <climits>
#include <cstring>
#include <string>
#include <vector>

#include "async_job.h"
#include "bindings.h"
#include "flat_scan.h"
#include "napi_args.h"

namespace spreadvec {

namespace {

constexpr double kMaxResults = 67108864.0;  // 2^26 places (nq × k) per call, as decodeScan

struct FlatScanJob {
  InputView<float> base;
  size_t n = 0;
  InputView<uint8_t> removed;  // empty: nothing removed
  int dim = 0;
  InputView<float> queries;
  size_t nq = 0;
  int k = 0;
  KnnMetric metric = KnnMetric::L2;
  int threads = 1;
  std::vector<float> dist;
  std::vector<int32_t> slots;
  std::vector<int32_t> tie_slots, tie_offsets;

  void run() {
    dist.resize(nq * static_cast<size_t>(k));
    slots.resize(nq * static_cast<size_t>(k));
    flat_scan(base.data(), n, removed.data(), dim, queries.data(), nq, k, metric, threads, dist.data(), slots.data(),
              &tie_slots, &tie_offsets);
  }

  Napi::Object result(Napi::Env env) const {
    auto d = Napi::Float32Array::New(env, dist.size());
    auto s = Napi::Int32Array::New(env, slots.size());
    auto ts = Napi::Int32Array::New(env, tie_slots.size());
    auto to = Napi::Int32Array::New(env, tie_offsets.size());
    if (!dist.empty()) std::memcpy(d.Data(), dist.data(), dist.size() * sizeof(float));
    if (!slots.empty()) std::memcpy(s.Data(), slots.data(), slots.size() * sizeof(int32_t));
    if (!tie_slots.empty()) std::memcpy(ts.Data(), tie_slots.data(), tie_slots.size() * sizeof(int32_t));
    if (!tie_offsets.empty()) std::memcpy(to.Data(), tie_offsets.data(), tie_offsets.size() * sizeof(int32_t));
    Napi::Object out = Napi::Object::New(env);
    out.Set("distances", d);
    out.Set("slots", s);
    out.Set("tieSlots", ts);
    out.Set("tieOffsets", to);
    return out;
  }
};

// Validates the arguments and fills `job` (Hold when `async`, Borrow otherwise);
// throws ArgError on the first bad one.
void parse(const Napi::CallbackInfo& info, const std::string& fn, bool async, FlatScanJob* job) {
  if (info.Length() < 7) TypeFail(fn, "expected (base, n, removed, dim, queries, k, metric, threads?)");
  auto base = TypedArrayArg<Napi::Float32Array>(info, 0, fn, "base");
  const int64_t n = IntArg(info, 1, fn, "n", 0, INT32_MAX - 1);
  const int dim = static_cast<int>(IntArg(info, 3, fn, "dim", 1, 1 << 16));
  auto q = TypedArrayArg<Napi::Float32Array>(info, 4, fn, "queries");
  const int k = static_cast<int>(IntArg(info, 5, fn, "k", 1, INT32_MAX));
  if (!info[6].IsString()) TypeFail(fn, "metric must be 'l2' or 'ip'");
  const std::string m = info[6].As<Napi::String>().Utf8Value();
  if (m != "l2" && m != "ip") RangeFail(fn, "metric must be 'l2' or 'ip', got '" + m + "'");
  const int threads = ThreadsArg(info, 7, fn);
  const size_t base_len = static_cast<size_t>(n) * static_cast<size_t>(dim);
  if (base.ElementLength() < base_len)
    RangeFail(fn, "base holds " + std::to_string(base.ElementLength()) + " values, fewer than n × dim = " +
                      std::to_string(base_len));
  Napi::Uint8Array removed;
  const size_t removed_bytes = (static_cast<size_t>(n) + 7) / 8;
  if (!info[2].IsNull() && !info[2].IsUndefined()) {
    if (!IsTypedArrayOf(info[2], napi_uint8_array)) TypeFail(fn, "removed must be a Uint8Array or null");
    removed = info[2].As<Napi::Uint8Array>();
    if (removed.ByteLength() < removed_bytes)
      RangeFail(fn, "removed holds " + std::to_string(removed.ByteLength()) + " bytes, fewer than ceil(n / 8) = " +
                        std::to_string(removed_bytes));
  }
  if (q.ElementLength() % static_cast<size_t>(dim) != 0)
    RangeFail(fn, "queries has " + std::to_string(q.ElementLength()) + " values, not a multiple of dim " +
                      std::to_string(dim));
  job->nq = q.ElementLength() / static_cast<size_t>(dim);
  if (job->nq * static_cast<double>(k) > kMaxResults)
    RangeFail(fn, "nq × k = " + std::to_string(job->nq) + " × " + std::to_string(k) +
                      " results exceed 2^26 per call; split the queries");
  job->n = static_cast<size_t>(n);
  job->dim = dim;
  job->k = k;
  job->metric = m == "ip" ? KnnMetric::IP : KnnMetric::L2;
  job->threads = threads;
  // Views last, once every check passed (a copy is made only for a call that runs).
  Napi::Env env = info.Env();
  job->base = async ? InputView<float>::Hold(env, base, base_len) : InputView<float>::Borrow(base, base_len);
  if (!removed.IsEmpty()) {
    job->removed = async ? InputView<uint8_t>::Hold(env, removed, removed_bytes)
                         : InputView<uint8_t>::Borrow(removed, removed_bytes);
  }
  job->queries = async ? InputView<float>::Hold(env, q) : InputView<float>::Borrow(q);
}

Napi::Value FlatScan(const Napi::CallbackInfo& info, const std::string& fn, bool async) {
  FlatScanJob job;
  parse(info, fn, async, &job);
  return RunJob(info.Env(), fn, async, std::move(job));
}

}  // namespace

void InitFlatScanBinding(Napi::Env env, Napi::Object exports) {
  ExportTwins(env, exports, "flatScanSync", "flatScan", FlatScan);
}

}  // namespace spreadvec
