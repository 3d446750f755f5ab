// CommonJS: require('fastnn') (Node >= 20.19 loads the ES module through the package's `default` condition).
const fastnn = require('fastnn');

for (const name of ['Network', 'loadBackend', 'availableBackends', 'matrix', 'NnError', 'OptionError', 'reference']) {
  if (fastnn[name] === undefined) throw new Error(`require('fastnn') has no export ${name}`);
}
fastnn.Network.create({ layers: [2, 2, 1], seed: 1, backend: 'rust' })
  .then((net) => {
    const r = net.train(
      [
        [0, 1],
        [1, 0],
      ],
      [[1], [0]],
      { epochs: 50, learningRate: 0.5 },
    );
    console.log(
      `require ok: ${net.backend.name}/${net.backend.variant} loss ${r.losses[0].toFixed(4)} -> ${r.losses.at(-1).toFixed(4)}`,
    );
    net.dispose();
  })
  .catch((e) => {
    console.error(e);
    process.exitCode = 1;
  });
