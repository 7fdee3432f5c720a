// Run by .ci/tarball-check inside a fresh app that installed the packed tarball:
// the addon must be the prebuilt binary, importing spreadvec must load no
// TensorFlow.js, the default encoder must be native, and a tiny Index must
// create, add, search, close and reopen. Prints one line; exits 1 on a failure.
'use strict';
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const t0 = process.hrtime.bigint();
const sv = require('spreadvec');
const importMs = Number(process.hrtime.bigint() - t0) / 1e6;

function fail(msg) {
  console.error(`smoke-app: ${msg}`);
  process.exit(1);
}

function rng(seed) {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0;
    return s / 2 ** 32;
  };
}

async function main() {
  const tf = Object.keys(require.cache).filter((k) => k.includes('@tensorflow'));
  if (tf.length) fail(`importing spreadvec loaded TensorFlow.js: ${tf[0]}`);
  // The addon's facts live under the spreadvec/kernels subpath (the root is curated).
  const kernels = require('spreadvec/kernels');
  const origin = kernels.addonOrigin();
  if (!origin.prebuilt) fail(`the addon is not the prebuilt binary: ${origin.path}`);
  const pkgDir = path.dirname(require.resolve('spreadvec/package.json'));
  if (fs.existsSync(path.join(pkgDir, 'build'))) fail(`npm install compiled the addon (${pkgDir}/build exists)`);

  // A tiny random catalyzer 8 → 16 → 16 → 24, as a torch checkpoint.
  const r = rng(1);
  const f = (n, scale, offset = 0) => Float32Array.from({ length: n }, () => offset + (r() * 2 - 1) * scale);
  const sd = {};
  const dims = [8, 16, 16, 24];
  for (let l = 0, idx = 0; l < 3; l++, idx += 3) {
    const [i, o] = [dims[l], dims[l + 1]];
    sd[`${idx}.weight`] = { dtype: 'float32', shape: [o, i], data: f(o * i, 1 / Math.sqrt(i)) };
    sd[`${idx}.bias`] = { dtype: 'float32', shape: [o], data: f(o, 0.1) };
    if (l < 2) {
      sd[`${idx + 1}.weight`] = { dtype: 'float32', shape: [o], data: f(o, 0.2, 1) };
      sd[`${idx + 1}.bias`] = { dtype: 'float32', shape: [o], data: f(o, 0.1) };
      sd[`${idx + 1}.running_mean`] = { dtype: 'float32', shape: [o], data: f(o, 0.5) };
      sd[`${idx + 1}.running_var`] = { dtype: 'float32', shape: [o], data: f(o, 0.5, 1) };
    }
  }
  const cat = await sv.Catalyzer.fromStateDict(sd);
  if (cat.backend !== 'native') fail(`the default encoder is ${cat.backend}, not native`);
  const ckpt = cat.toCheckpoint();
  await cat.close();

  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'spreadvec-smoke-'));
  try {
    const n = 200;
    const x = f(n * 8, 1);
    const index = await sv.Index.create(path.join(dir, 'idx'), { catalyzer: ckpt, quantizer: 'zn_79' });
    await index.add(x);
    const { ids } = await index.search(x, 1);
    let self = 0;
    for (let i = 0; i < n; i++) if (ids[i] === BigInt(i)) self++;
    await index.close();
    const again = await sv.Index.open(path.join(dir, 'idx'));
    const second = await again.search(x.subarray(0, 8), 1);
    await again.close();
    if (self < 0.9 * n) fail(`only ${self}/${n} vectors found themselves`);
    if (second.ids[0] !== ids[0]) fail('the reopened index answers differently');

    // Bring your own vectors: an index from dim alone, exact until trained, then coded.
    const m = 1200;
    const y = f(m * 16, 1);
    const own = await sv.Index.create(path.join(dir, 'own'), { dim: 16, metric: 'cosine' });
    await own.add(y);
    const exact = await own.search(y.subarray(0, 16 * 10), 1);
    for (let i = 0; i < 10; i++) if (exact.ids[i] !== BigInt(i)) fail(`untrained exact search missed vector ${i}`);
    const report = await own.train({ epochs: 1, dint: 32 });
    if (!own.trained || report.coded !== m) fail(`train() coded ${report.coded} of ${m}`);
    const refined = await own.search(y.subarray(0, 16 * 10), 1, { refine: 20 });
    let found = 0;
    for (let i = 0; i < 10; i++) if (refined.ids[i] === BigInt(i)) found++;
    if (found < 9) fail(`after train() only ${found}/10 vectors found themselves with refine`);
    await own.close();
    console.log(`smoke-app: ok (addon ${path.relative(pkgDir, origin.path)}, isa ${kernels.activeIsa()}, encoder native, ${self}/${n} self-hits, an index from dim trained, import ${importMs.toFixed(0)} ms)`);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e) => fail(e && e.message ? e.message.split('\n')[0] : String(e)));
