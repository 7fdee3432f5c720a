#!/usr/bin/env node
// `npm pack` / `npm publish` (prepack): compiles the addon into prebuilds/ with
// prebuildify, one N-API binary per platform that the package ships, so that
// `npm install spreadvec` needs no compiler there (node-gyp-build picks the
// binary; it compiles only where none fits). Binaries are built here, not committed.
//
// On linux-x64 it also cross-compiles linux-arm64 when Debian's
// g++-aarch64-linux-gnu is installed (skipped with a notice otherwise, except for
// `npm publish`, which fails without it).
// binding.gyp never uses -march=native: the x64 binary holds the AVX-512 / AVX2 /
// scalar kernels and picks one at run time, so it runs on any x86-64.
//
// prebuildify runs `node-gyp rebuild` in this folder and moves the binary out of
// build/Release; the host binary is copied back there afterwards, so that a local
// build (which node-gyp-build prefers) is still the one for this machine.
'use strict';
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const root = path.join(__dirname, '..');
const prebuildify = path.join(path.dirname(require.resolve('prebuildify/package.json')), 'bin.js');

function onPath(cmd) {
  return (process.env.PATH || '').split(path.delimiter).some((d) => d && fs.existsSync(path.join(d, cmd)));
}

function build(arch, env) {
  console.log(`prebuilds: ${os.platform()}-${arch}`);
  const r = spawnSync(process.execPath, [prebuildify, '--napi', '--strip', '--tag-libc', `--arch=${arch}`], {
    cwd: root,
    stdio: 'inherit',
    env: { ...process.env, ...env },
  });
  if (r.status !== 0) {
    console.error(`prebuilds: the ${arch} build failed (exit ${r.status})`);
    process.exit(r.status || 1);
  }
}

fs.rmSync(path.join(root, 'prebuilds'), { recursive: true, force: true });
if (os.platform() === 'linux' && os.arch() === 'x64') {
  if (onPath('aarch64-linux-gnu-g++')) {
    build('arm64', {
      CC: 'aarch64-linux-gnu-gcc',
      CXX: 'aarch64-linux-gnu-g++',
      LINK: 'aarch64-linux-gnu-g++',
      PREBUILD_STRIP_BIN: 'aarch64-linux-gnu-strip',
    });
  } else if (process.env.npm_command === 'publish') {
    // A published package must carry both binaries that the README promises.
    console.error('prebuilds: `npm publish` needs the linux-arm64 prebuild: apt-get install g++-aarch64-linux-gnu');
    process.exit(1);
  } else {
    console.log('prebuilds: linux-arm64 skipped (install g++-aarch64-linux-gnu to cross-compile it)');
  }
}
build(os.arch(), {});
const host = path.join(root, 'prebuilds', `${os.platform()}-${os.arch()}`);
const binary = fs.readdirSync(host).find((f) => f.endsWith('.node'));
fs.copyFileSync(path.join(host, binary), path.join(root, 'build', 'Release', 'spreadvec.node'));
