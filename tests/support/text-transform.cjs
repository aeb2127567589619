'use strict';
// Jest transform for host scripts (.py, .sh): the module is the file's text, as with esbuild's text loader.
module.exports = {
  process(source) {
    return { code: `module.exports = ${JSON.stringify(source)};` };
  },
};
