// A minimal webhook receiver verifying `ocus-signature` over the raw body.
// Usage: OCUS_WEBHOOK_SECRET=... node webhook-receiver.js [--once]
'use strict'
const http = require('node:http')
const { webhooks, SignatureVerificationError } = require('ocus')

const secret = process.env.OCUS_WEBHOOK_SECRET || ''
const once = process.argv.includes('--once')

const server = http.createServer((req, res) => {
  const chunks = []
  req.on('data', (chunk) => chunks.push(chunk))
  req.on('end', () => {
    try {
      const event = webhooks.verify(Buffer.concat(chunks), req.headers[webhooks.SIGNATURE_HEADER], secret)
      console.log(`verified ${event.id} for project ${event.projectId} (status ${event.status}, signed: ${event.signedPart})`)
      res.writeHead(204).end()
    } catch (error) {
      if (!(error instanceof SignatureVerificationError)) throw error
      console.log(`rejected webhook: ${error.code}`)
      res.writeHead(400).end()
    }
    if (once) server.close()
  })
})

server.listen(0, '127.0.0.1', () => console.log(`listening on http://127.0.0.1:${server.address().port}/`))
