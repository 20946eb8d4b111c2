// Typeset TeX formulas with MathJax 3 (the documentation's own copy) and report the ones it rejects.
// usage: node check.js MATHJAX_ES5_DIR < formulas.json   (a JSON list of {"tex": ..., "display": bool})
const es5 = process.argv[2];
let input = '';
process.stdin.on('data', (c) => { input += c; });
process.stdin.on('end', () => {
  const items = JSON.parse(input);
  require(es5 + '/node-main.js').init({
    loader: {paths: {mathjax: es5}, load: ['input/tex-base', '[tex]/ams', '[tex]/newcommand', '[tex]/configmacros']},
    tex: {packages: ['base', 'ams', 'newcommand', 'configmacros'],
          formatError: (jax, err) => { throw err; }},
  }).then((MathJax) => {
    const bad = [];
    for (const [i, item] of items.entries()) {
      try { MathJax.tex2mml(item.tex, {display: item.display}); }
      catch (err) { bad.push({index: i, tex: item.tex, error: String(err.message || err)}); }
    }
    process.stdout.write(JSON.stringify({checked: items.length, bad}));
  }).catch((err) => { console.error(err); process.exit(2); });
});
