// The peer of the sync benches: PouchDB 9 replicating to pouchdb-server on loopback, with the same documents and
// bytes Inspector syncs. Prints one JSON line of figures (seconds, counts, bytes) for the Python bench to print
// beside Inspector's.
//
// Run (the Python bench does): node bench/peer_pouchdb.js --changes changes.jsonl --photos photos/ --feed feed.jsonl
//   --changes  one pushed change per line (the documents of the push: replicated local -> server)
//   --photos   a folder of photo files (each attached to one document, replicated local -> server)
//   --feed     one feed entry per line (put on the server, then replicated server -> a fresh local database)
// Install once: cd bench/peer && npm ci
'use strict';

const { spawn } = require('child_process');
const fs = require('fs');
const net = require('net');
const os = require('os');
const path = require('path');

const PEER = path.join(__dirname, 'peer');
const PouchDB = require(path.join(PEER, 'node_modules', 'pouchdb'));

const BATCH = 500; // documents per replication batch: the size of Inspector's push and pull pages

function option(name) {
  const index = process.argv.indexOf(`--${name}`);
  return index > 0 ? process.argv[index + 1] : undefined;
}

function readLines(file) {
  return fs.readFileSync(file, 'utf8').split('\n').filter((line) => line.trim()).map((line) => JSON.parse(line));
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

async function startServer(dir) {
  const port = await freePort();
  const bin = path.join(PEER, 'node_modules', 'pouchdb-server', 'bin', 'pouchdb-server');
  const child = spawn(process.execPath, [bin, '--port', String(port), '--dir', dir, '--no-color'], {
    cwd: dir, // it writes config.json and log.txt where it runs
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60000;
  for (;;) {
    try {
      const response = await fetch(url);
      if (response.ok) return { child, url };
    } catch (error) {
      // not listening yet
    }
    if (child.exitCode !== null) throw new Error('pouchdb-server exited during start-up');
    if (Date.now() > deadline) throw new Error('pouchdb-server did not start');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function timed(work) {
  const started = process.hrtime.bigint();
  const result = await work();
  return [Number(process.hrtime.bigint() - started) / 1e9, result];
}

async function replicate(source, target) {
  const result = await PouchDB.replicate(source, target, { batch_size: BATCH, batches_limit: 4 });
  if (!result.ok || result.doc_write_failures) throw new Error(`replication failed: ${JSON.stringify(result)}`);
  return result;
}

async function main() {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'peer-pouchdb-'));
  fs.mkdirSync(path.join(work, 'server'));
  const { child, url } = await startServer(path.join(work, 'server'));
  const figures = { pouchdb: require(path.join(PEER, 'node_modules', 'pouchdb', 'package.json')).version };
  try {
    const local = (name) => new PouchDB(path.join(work, name));
    const remote = (name) => new PouchDB(`${url}/${name}`);

    // (a) the pushed changes, one document each, replicated to the server
    const changes = readLines(option('changes'));
    const outbox = local('outbox');
    await outbox.bulkDocs(changes.map((change) => ({ _id: change.change_id, ...change })));
    const [pushSeconds, pushed] = await timed(() => replicate(outbox, remote('changes')));
    Object.assign(figures, { push_docs: pushed.docs_written, push_seconds: pushSeconds });

    // (b) photos as attachments, one document each, replicated to the server
    const folder = option('photos');
    const names = fs.readdirSync(folder).sort();
    const photos = local('photos');
    let bytes = 0;
    for (const name of names) {
      const data = fs.readFileSync(path.join(folder, name));
      bytes += data.length;
      await photos.put({
        _id: name,
        _attachments: { 'photo.jpg': { content_type: 'image/jpeg', data } },
      });
    }
    const [photoSeconds, sent] = await timed(() => replicate(photos, remote('photos')));
    Object.assign(figures, { photo_docs: sent.docs_written, photo_bytes: bytes, photo_seconds: photoSeconds });

    // (d) the feed entries, put on the server, replicated to a fresh local database
    const entries = readLines(option('feed'));
    const feed = remote('feed');
    for (let start = 0; start < entries.length; start += 2000) {
      const chunk = entries.slice(start, start + 2000).map((entry, index) => ({
        _id: `${String(start + index).padStart(8, '0')}-${entry.kind}-${entry.entity_id}`,
        ...entry,
      }));
      const results = await feed.bulkDocs(chunk);
      if (results.some((item) => item.error)) throw new Error('putting the feed on the server failed');
    }
    const fresh = local('fresh');
    const [pullSeconds, pulled] = await timed(() => replicate(feed, fresh));
    Object.assign(figures, { pull_docs: pulled.docs_written, pull_seconds: pullSeconds });
    await Promise.all([outbox.close(), photos.close(), fresh.close()]);
  } finally {
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
    fs.rmSync(work, { recursive: true, force: true });
  }
  process.stdout.write(`${JSON.stringify(figures)}\n`);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
