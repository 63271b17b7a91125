const { recordsToFeed } = require('./dist/src/data/criteo-feed');
const { writePaddleRequest } = require('./dist/src/paddle/service/paddle-request-writer');
const { writePredictRequest } = require('./dist/src/protocol/predict-message-writer');
const recs = Array.from({ length: 5 }, (_, r) => ({ dense: new Float32Array(13).fill(0.3 + r), sparse: BigInt64Array.from({ length: 26 }, (_, k) => BigInt(1000003 * k + 77777 * r)), label: 1 }));
const feeds = Array.from({ length: 40 }, () => recordsToFeed(recs).feed);
function bench(name, f) { for (let i = 0; i < 30000; i++) f(i); const n = 200000; const t = process.hrtime.bigint(); for (let i = 0; i < n; i++) f(i); console.log(name, (Number(process.hrtime.bigint() - t) / n / 1000).toFixed(3), 'us'); }
bench('paddle writer', (i) => writePaddleRequest(feeds[i % 40], ['prob'], i + 1));
bench('predict writer', (i) => writePredictRequest(feeds[i % 40], [], { requestId: i + 1 }));
