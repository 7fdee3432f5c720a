// Glue of the decode-and-scan search (decode_scan.h):
//   decodeScan(codes, n, removed, dim, r2, queries, k, threads?) -> Promise<{ distances, slots, tieSlots, tieOffsets }>
//   decodeScanSync(...)                                         -> { distances, slots, tieSlots, tieOffsets }
// with two optional trailing arguments (ranges, rangeOffsets): Int32Arrays of
// half-open slot pairs and nq + 1 offsets into the pairs; query i then scans only
// its ranges (decode_scan_ranges). They are copied (small), so that no later change
// can make a checked range unsafe. An optional 11th argument, decoded (Int8Array of
// n × dim, or null), is the Index's decoded cache: rows are read from it instead of
// decoding the codes (same results; any bytes are memory-safe).
// codes: Uint8Array of n codes (code_bytes each); removed: Uint8Array bitmap or null;
// queries: Float32Array nq × dim; results are nq × k (Float32Array / Int32Array,
// +Infinity / -1 where fewer than k slots are live); tieSlots (Int32Array) holds the
// other live slots at each query's k-th distance, query i's at
// [tieOffsets[i], tieOffsets[i + 1]) (tieOffsets: nq + 1 values). The async form runs on a libuv
// worker: it copies its inputs first, except those in a SharedArrayBuffer, which it
// reads in place (the Index keeps its code arena there, so a search copies nothing
// big). Detaching or changing the inputs meanwhile never reaches freed memory: the
// decoder turns any code bytes into some point of the sphere, and a NaN distance
// never enters a heap.
#include <napi.h>

#include <algorithm>
#include <climits>
#include <cmath>
#include <cstring>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "async_job.h"
#include "bindings.h"
#include "decode_scan.h"
#include "napi_args.h"
#include "parallel.h"
#include "zn_codec.h"

namespace spreadvec {

namespace {

constexpr double kMaxResults = 67108864.0;  // 2^26 places (nq × k) per call

struct ScanJob {
  const ZnSphereCodec* codec = nullptr;
  InputView<uint8_t> codes;
  size_t n = 0;
  InputView<uint8_t> removed;  // empty: nothing removed
  InputView<int8_t> decoded;   // empty: decode the codes
  InputView<float> queries;
  size_t nq = 0;
  int k = 0;
  int threads = 1;
  std::vector<float> dist;
  std::vector<int32_t> slots;
  std::vector<int32_t> tie_slots, tie_offsets;
  bool ranged = false;
  std::vector<int32_t> ranges, range_offsets;

  void run() {
    dist.resize(nq * static_cast<size_t>(k));
    slots.resize(nq * static_cast<size_t>(k));
    if (ranged) {
      decode_scan_ranges(*codec, codes.data(), n, removed.data(), queries.data(), nq, ranges.data(),
                         range_offsets.data(), k, threads, dist.data(), slots.data(), &tie_slots, &tie_offsets,
                         decoded.data());
      return;
    }
    decode_scan(*codec, codes.data(), n, removed.data(), queries.data(), nq, k, threads, dist.data(), slots.data(),
                &tie_slots, &tie_offsets, decoded.data());
  }

  Napi::Object result(Napi::Env env) const {
    auto d = Napi::Float32Array::New(env, dist.size());
    auto s = Napi::Int32Array::New(env, slots.size());
    if (!dist.empty()) std::memcpy(d.Data(), dist.data(), dist.size() * sizeof(float));
    if (!slots.empty()) std::memcpy(s.Data(), slots.data(), slots.size() * sizeof(int32_t));
    auto ts = Napi::Int32Array::New(env, tie_slots.size());
    auto to = Napi::Int32Array::New(env, tie_offsets.size());
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

// Reads the optional (ranges, rangeOffsets) at info[8], info[9] into `job` and checks
// them: whole pairs, nq + 1 offsets from 0 to the pair count, non-decreasing, each
// range inside [0, n), one query's ranges disjoint.
void parse_ranges(const Napi::CallbackInfo& info, const std::string& fn, ScanJob* job) {
  const bool has_r = info.Length() > 8 && !info[8].IsUndefined() && !info[8].IsNull();
  const bool has_o = info.Length() > 9 && !info[9].IsUndefined() && !info[9].IsNull();
  if (!has_r && !has_o) return;
  if (has_r != has_o) TypeFail(fn, "ranges and rangeOffsets go together: pass both or neither");
  auto r = TypedArrayArg<Napi::Int32Array>(info, 8, fn, "ranges");
  auto o = TypedArrayArg<Napi::Int32Array>(info, 9, fn, "rangeOffsets");
  if (r.ElementLength() % 2 != 0)
    RangeFail(fn, "ranges has " + std::to_string(r.ElementLength()) + " values, not whole (start, end) pairs");
  const size_t npairs = r.ElementLength() / 2;
  if (o.ElementLength() != job->nq + 1)
    RangeFail(fn, "rangeOffsets has " + std::to_string(o.ElementLength()) + " values, expected nq + 1 = " +
                      std::to_string(job->nq + 1));
  job->ranges.assign(r.Data(), r.Data() + r.ElementLength());
  job->range_offsets.assign(o.Data(), o.Data() + o.ElementLength());
  const auto& ro = job->range_offsets;
  if (ro[0] != 0) RangeFail(fn, "rangeOffsets[0] is " + std::to_string(ro[0]) + ", not 0");
  if (static_cast<size_t>(ro[job->nq]) != npairs)
    RangeFail(fn, "rangeOffsets ends at " + std::to_string(ro[job->nq]) + ", not the pair count " +
                      std::to_string(npairs));
  std::vector<std::pair<int32_t, int32_t>> own;
  for (size_t i = 0; i < job->nq; i++) {
    if (ro[i + 1] < ro[i] || ro[i + 1] > static_cast<int32_t>(npairs))
      RangeFail(fn, "rangeOffsets decreases or overruns at index " + std::to_string(i + 1));
    own.clear();
    for (int32_t j = ro[i]; j < ro[i + 1]; j++) {
      const int32_t b = job->ranges[2 * j], e = job->ranges[2 * j + 1];
      if (b < 0 || b > e || static_cast<size_t>(e) > job->n)
        RangeFail(fn, "ranges pair " + std::to_string(j) + " [" + std::to_string(b) + ", " + std::to_string(e) +
                          ") is not a range inside [0, n = " + std::to_string(job->n) + ")");
      if (b < e) own.emplace_back(b, e);
    }
    std::sort(own.begin(), own.end());
    for (size_t j = 1; j < own.size(); j++)
      if (own[j].first < own[j - 1].second)
        RangeFail(fn, "ranges of query " + std::to_string(i) + " overlap at slot " + std::to_string(own[j].first));
  }
  job->ranged = true;
}

// Validates the arguments and fills `job` (views of the JS arrays: Hold when `async`,
// Borrow otherwise); throws ArgError on the first bad one.
void parse(const Napi::CallbackInfo& info, const std::string& fn, bool async, ScanJob* job) {
  if (info.Length() < 7)
    TypeFail(fn, "expected (codes, n, removed, dim, r2, queries, k, threads?, ranges?, rangeOffsets?, decoded?)");
  auto codes = TypedArrayArg<Napi::Uint8Array>(info, 0, fn, "codes");
  const int64_t n = IntArg(info, 1, fn, "n", 0, INT32_MAX);
  const int dim = static_cast<int>(IntArg(info, 3, fn, "dim", 1, 4096));
  const int r2 = static_cast<int>(IntArg(info, 4, fn, "r2", 1, INT32_MAX));
  const int k = static_cast<int>(IntArg(info, 6, fn, "k", 1, INT32_MAX));
  const int threads = ThreadsArg(info, 7, fn);
  try {
    job->codec = &zn_codec(dim, r2);
  } catch (const std::exception& e) {
    RangeFail(fn, "no spherical Zn codec for dim " + std::to_string(dim) + ", r2 " + std::to_string(r2) + ": " +
                      e.what());
  }
  const size_t cb = job->codec->code_bytes();
  if (codes.ByteLength() < static_cast<size_t>(n) * cb)
    RangeFail(fn, "codes holds " + std::to_string(codes.ByteLength()) + " bytes, fewer than n × codeBytes = " +
                      std::to_string(static_cast<size_t>(n) * cb));
  Napi::Uint8Array removed;
  const size_t removed_bytes = (static_cast<size_t>(n) + 7) / 8;
  if (!info[2].IsNull() && !info[2].IsUndefined()) {
    if (!IsTypedArrayOf(info[2], napi_uint8_array)) TypeFail(fn, "removed must be a Uint8Array or null");
    removed = info[2].As<Napi::Uint8Array>();
    if (removed.ByteLength() < removed_bytes)
      RangeFail(fn, "removed holds " + std::to_string(removed.ByteLength()) + " bytes, fewer than ceil(n / 8)");
  }
  auto q = TypedArrayArg<Napi::Float32Array>(info, 5, fn, "queries");
  if (q.ElementLength() % static_cast<size_t>(dim) != 0)
    RangeFail(fn, "queries has " + std::to_string(q.ElementLength()) + " values, not a multiple of dim " +
                      std::to_string(dim));
  for (size_t i = 0; i < q.ElementLength(); i++)
    if (!std::isfinite(q[i])) RangeFail(fn, "queries holds a non-finite value at index " + std::to_string(i));
  job->nq = q.ElementLength() / static_cast<size_t>(dim);
  job->k = k;
  job->threads = threads;
  // The output alone is nq × k × 8 bytes (twice, while it is handed to JS): refuse
  // a size no caller means at once, rather than allocating gigabytes.
  if (job->nq * static_cast<double>(job->k) > kMaxResults)
    RangeFail(fn, "nq × k = " + std::to_string(job->nq) + " × " + std::to_string(job->k) +
                      " results exceed 2^26 per call; split the queries");
  job->n = static_cast<size_t>(n);
  parse_ranges(info, fn, job);
  Napi::Int8Array decoded;
  const size_t decoded_len = static_cast<size_t>(n) * static_cast<size_t>(dim);
  if (info.Length() > 10 && !info[10].IsNull() && !info[10].IsUndefined()) {
    if (!IsTypedArrayOf(info[10], napi_int8_array)) TypeFail(fn, "decoded must be an Int8Array or null");
    decoded = info[10].As<Napi::Int8Array>();
    if (decoded.ElementLength() < decoded_len)
      RangeFail(fn, "decoded holds " + std::to_string(decoded.ElementLength()) + " values, fewer than n × dim = " +
                        std::to_string(decoded_len));
  }
  // Views last, once every check passed (a copy is made only for a call that runs).
  Napi::Env env = info.Env();
  const size_t code_len = static_cast<size_t>(n) * cb;
  job->n = static_cast<size_t>(n);
  job->codes = async ? InputView<uint8_t>::Hold(env, codes, code_len) : InputView<uint8_t>::Borrow(codes, code_len);
  if (!removed.IsEmpty()) {
    job->removed = async ? InputView<uint8_t>::Hold(env, removed, removed_bytes)
                         : InputView<uint8_t>::Borrow(removed, removed_bytes);
  }
  job->queries = async ? InputView<float>::Hold(env, q) : InputView<float>::Borrow(q);
  if (!decoded.IsEmpty()) {
    job->decoded = async ? InputView<int8_t>::Hold(env, decoded, decoded_len) : InputView<int8_t>::Borrow(decoded, decoded_len);
  }
}

// decodeScan (async: a libuv worker) and decodeScanSync (the calling thread).
Napi::Value DecodeScan(const Napi::CallbackInfo& info, const std::string& fn, bool async) {
  ScanJob job;
  parse(info, fn, async, &job);
  return RunJob(info.Env(), fn, async, std::move(job));
}

}  // namespace

void InitScanBinding(Napi::Env env, Napi::Object exports) {
  ExportTwins(env, exports, "decodeScanSync", "decodeScan", DecodeScan);
}

}  // namespace spreadvec
