#!/usr/bin/env node
// Builds the native addon from source with cargo (run by `npm install`), into ./ocus.node.
// Plain cargo, not the napi CLI: the CLI always passes --target, which would rebuild the whole
// core apart from the rest of the workspace, and it is a devDependency, absent when another
// project installs this folder by path.
'use strict'
const { execFileSync } = require('node:child_process')
const fs = require('node:fs')
const path = require('node:path')

const here = path.resolve(__dirname, '..')
const profile = process.env.OCUS_NODE_PROFILE || 'release'
const cargo = process.env.CARGO || 'cargo'
const args = ['build', '--locked', '-p', 'ocus-node', '--manifest-path', path.join(here, 'Cargo.toml')]
if (profile === 'release') args.push('--release')
// The runtime driven from libuv needs tokio's unstable metrics (the repository's
// .cargo/config.toml sets the same flag; a published source package has no such file).
const rustflags = process.env.RUSTFLAGS ?? ''
const env = { ...process.env, RUSTFLAGS: /tokio_unstable/.test(rustflags) ? rustflags : `${rustflags} --cfg tokio_unstable`.trim() }
try {
  execFileSync(cargo, args, { stdio: 'inherit', cwd: here, env })
} catch (error) {
  console.error('ocus: building the native addon failed; it needs Rust (https://rustup.rs) and a C toolchain.')
  process.exit(1)
}
const metadata = JSON.parse(
  execFileSync(cargo, ['metadata', '--format-version', '1', '--no-deps', '--manifest-path', path.join(here, 'Cargo.toml')], {
    cwd: here,
    encoding: 'utf8',
  }),
)
const names = { linux: 'libocus_node.so', darwin: 'libocus_node.dylib', win32: 'ocus_node.dll' }
const built = path.join(metadata.target_directory, profile === 'release' ? 'release' : 'debug', names[process.platform])
const target = path.join(here, 'ocus.node')
// Copy to a temporary name and rename, so a running process never sees a half-written file.
fs.copyFileSync(built, target + '.tmp')
fs.renameSync(target + '.tmp', target)
