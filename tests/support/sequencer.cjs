'use strict';
// Jest's own order (slowest known first), except the real `sam build` test last: its build started in
// the background at globalSetup (tests/support/sam-build.ts) and runs alongside the other tests.
const Sequencer = require('@jest/test-sequencer').default;

class KeygateSequencer extends Sequencer {
  async sort(tests) {
    const sorted = await super.sort(tests);
    const last = (t) => (/[/\\]tests[/\\]integration[/\\]sam[/\\]sam-cli\.test\.ts$/.test(t.path) ? 1 : 0);
    return [...sorted].sort((a, b) => last(a) - last(b));
  }
}

module.exports = KeygateSequencer;
