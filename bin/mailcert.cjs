#!/usr/bin/env node
// CommonJS on purpose: Node 20 starts it sooner than an ES module (see scripts/build.mjs).
'use strict';
void require('../dist/bundle/main.cjs').main();
