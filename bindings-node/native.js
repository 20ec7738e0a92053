'use strict'
// Loads the native addon: the platform package a published `ocus` installs as an optional
// dependency (ocus-linux-x64-gnu...), else one built from source in this folder (npm run build).
const fs = require('node:fs')
const path = require('node:path')

function libc() {
  if (process.platform !== 'linux') return ''
  // glibc reports its version; musl (Alpine) does not.
  const report = typeof process.report?.getReport === 'function' ? process.report.getReport() : null
  return report?.header?.glibcVersionRuntime ? '-gnu' : '-musl'
}

const platform = `${process.platform}-${process.arch}${libc()}`
const packageName = `ocus-${platform}`
const local = path.join(__dirname, 'ocus.node')

// The platforms of this release: the platform packages `ocus` lists as optional dependencies.
function publishedPlatforms() {
  const listed = Object.keys(require('./package.json').optionalDependencies ?? {})
  return listed.length ? listed.map((name) => name.replace(/^ocus-/, '')).join(', ') : 'none: this is a source checkout'
}

function load() {
  let packageError
  try {
    return require(packageName)
  } catch (error) {
    if (error.code !== 'MODULE_NOT_FOUND') throw error
    packageError = error
  }
  if (fs.existsSync(local)) return require(local)
  const error = new Error(
    `ocus: no native addon for this platform (${platform}). ` +
      `The package ${packageName} is not installed: it is an optional dependency of ocus, so check that ` +
      `optional dependencies are not disabled (npm --omit=optional, --no-optional) and that ${platform} is ` +
      `one of the published platforms (${publishedPlatforms()}). ` +
      `To build it from source instead (needs Rust): clone the ocus repository and run \`npm run build\` in bindings-node.`,
  )
  error.code = 'OCUS_NATIVE_ADDON_NOT_FOUND'
  error.cause = packageError
  throw error
}

module.exports = load()
