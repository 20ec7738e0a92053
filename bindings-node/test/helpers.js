'use strict'
// The package under test (installed the way a user installs it, see `make test-node`) and the
// emulator (one per test file, started on a port the OS picks).
const { spawn } = require('node:child_process')
const path = require('node:path')
const readline = require('node:readline')

const REPO = path.resolve(__dirname, '..', '..')
const consumer = process.env.OCUS_CONSUMER_DIR || path.join(__dirname, '..')
const ocus = require(require.resolve('ocus', { paths: [consumer] }))

const ALPHA = 'sk_test_alpha'
const BETA = 'sk_test_beta'
const KEYS = [
  { key: ALPHA, state: 'valid', name: 'alpha' },
  { key: BETA, state: 'valid', name: 'beta' },
  { key: 'sk_test_revoked', state: 'revoked', name: 'revoked' },
]
const ID0 = '910a2dec-8902-4cc1-9758-35de1c9756ce'

for (const name of ['OCUS_API_KEY', 'OCUS_API_KEY_FILE', 'OCUS_BASE_URL', 'OCUS_CA_BUNDLE']) delete process.env[name]

async function startEmulator() {
  const binary = process.env.OCUS_MOCK_BIN || path.join(REPO, 'target', 'debug', 'ocus-mock')
  const child = spawn(binary, ['--addr', '127.0.0.1:0', '--tls'], { stdio: ['ignore', 'pipe', 'ignore'] })
  const lines = readline.createInterface({ input: child.stdout })
  const baseUrl = await new Promise((resolve, reject) => {
    lines.once('line', resolve)
    child.once('error', reject)
    child.once('exit', (code) => reject(new Error(`emulator exited with ${code}`)))
  })
  lines.close()
  child.stdout.resume()
  child.unref()
  const adminUrl = baseUrl.replace(/\/v3$/, '')
  const admin = async (method, p, body) => {
    const response = await fetch(adminUrl + p, {
      method,
      headers: { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    })
    if (!response.ok) throw new Error(`admin ${p}: ${await response.text()}`)
    return response.json()
  }
  // The scenarios' ${name} placeholders: the HTTPS listeners and the private CA (--tls).
  const { tls } = await admin('GET', '/__admin/info')
  const placeholders = Object.fromEntries(Object.entries(tls).map(([name, value]) => [`tls_${name}`, value]))
  // And the real proxy of scripts/with-proxy, which `make test` runs the tests under.
  for (const [name, variable] of [['proxy_url', 'OCUS_TEST_PROXY_URL'], ['proxy_bad_url', 'OCUS_TEST_PROXY_BAD_URL']]) {
    if (process.env[variable]) placeholders[name] = process.env[variable]
  }
  return {
    baseUrl,
    adminUrl,
    placeholders,
    admin,
    reset: (keys = KEYS) => admin('POST', '/__admin/reset', { keys }),
    faults: (...faults) => admin('POST', '/__admin/faults', faults),
    requests: async () => (await admin('GET', '/__admin/requests')).requests,
    stop: () => child.kill(),
  }
}

module.exports = { ocus, startEmulator, ALPHA, BETA, KEYS, ID0, REPO, consumer }
