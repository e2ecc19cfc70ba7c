#!/usr/bin/env node
// The command `npx cdk8s-falco-audit synth [--config F] [--output D] [--plan-json F]`: the bundled app.
require('../build/app.js');
