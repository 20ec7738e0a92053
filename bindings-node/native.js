'use strict'
// Loads the addon built by scripts/build.js.
module.exports = require('./ocus.node')
