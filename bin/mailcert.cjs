#!/usr/bin/env node
// CommonJS on purpose: Node 20 starts it sooner than an ES module (see scripts/build.mjs).
// The launcher loads the bundle with V8's code cache (src/cli/launcher.ts); main.js is the entry
// module, packed in dist/bundle/main.cjs. The launcher itself is run here as Node's require()
// would run it, minus the resolving and bookkeeping of a module: about 0.5 ms of every start.
'use strict';
const { readFileSync } = require('node:fs');
const { join } = require('node:path');
const { runInThisContext } = require('node:vm');

const bundle = join(__dirname, '..', 'dist', 'bundle');
const file = join(bundle, 'launcher.cjs');
const launcher = { exports: {} };
runInThisContext(`(function (exports, require, module) {${readFileSync(file, 'utf8')}\n})`, { filename: file })(launcher.exports, require, launcher);
launcher.exports.launch(join(bundle, 'main.js'));
