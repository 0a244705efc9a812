#!/usr/bin/env node
// CommonJS on purpose: Node 20 starts it sooner than an ES module (see scripts/build.mjs).
// The launcher loads the bundle with V8's code cache (src/cli/launcher.ts); main.js is the entry
// module, packed in dist/bundle/main.cjs.
'use strict';
const { join } = require('node:path');
require('../dist/bundle/launcher.cjs').launch(join(__dirname, '..', 'dist', 'bundle', 'main.js'));
