import { createServer } from 'node:http';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import next from 'next';
import { LESSONS_FOLDER } from '@bpfplay/protocol';
import { LESSONS_DIR_ENV, readLessons, type Lesson } from '@bpfplay/lessons';
import { findRepoRoot, getRoomStore } from '@bpfplay/share/server';
import { agentTargets } from './agentTargets';
import { nodeRunUpgrades } from './nodeRuns';
import { RoomHub } from './roomHub';
import { roomRoutes } from './roomRoutes';
import { roomUpgrades } from './roomSockets';

/**
 * The web app's own server (`npm start`, scripts/start.sh, the e2e setup): Next.js's request
 * handling plus what Next's route handlers cannot do — WebSockets. Rooms need them: the room
 * channels and the relay that opens each learner's agent session with a token no browser sees.
 *
 *   node dist/server.mjs [--dev] [--hostname H] [--port P]      (HOST / PORT work too)
 */
// Next.js asks to send telemetry on first start; a playground server on someone's machine does not.
process.env.NEXT_TELEMETRY_DISABLED ??= '1';
const args = process.argv.slice(2);
const flag = (name: string) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const dev = args.includes('--dev');
const hostname = flag('--hostname') ?? process.env.HOST ?? '127.0.0.1';
const port = Number(flag('--port') ?? process.env.PORT ?? 3000);
// dist/server.mjs lives in apps/web/dist: the app is one folder up.
const webDir = process.env.BPFPLAY_WEB_DIR ?? resolve(dirname(fileURLToPath(import.meta.url)), '..');

function lessonTrack(): Lesson[] {
  const dir = process.env[LESSONS_DIR_ENV] ?? join(findRepoRoot(webDir) ?? webDir, 'bpf', LESSONS_FOLDER);
  try {
    const { lessons, problems } = readLessons(dir);
    for (const p of problems) console.warn(`rooms: ${p}`);
    return lessons;
  } catch (e) {
    console.warn(`rooms: no lessons (${(e as Error).message})`);
    return [];
  }
}

async function main(): Promise<void> {
  const app = next({ dev, dir: webDir, hostname, port });
  await app.prepare();
  const handle = app.getRequestHandler();
  const nextUpgrade = app.getUpgradeHandler();

  const store = getRoomStore();
  const track = lessonTrack();
  const targets = await agentTargets();
  const hub = new RoomHub(
    store,
    () => track,
    undefined,
    () => targets.registry?.nodes().map((n) => n.name),
  );
  // Ended rooms are kept ROOM_LIMITS.keepEndedDays, then deleted with their learners' data.
  const deleteOldRooms = () =>
    hub.deleteOldRooms().then(
      (ids) => ids.length && console.log(`rooms: deleted ${ids.length} rooms that ended long ago`),
      (e: Error) => console.warn(`rooms: deleting old rooms failed: ${e.message}`),
    );
  void deleteOldRooms();
  setInterval(() => void deleteOldRooms(), 3600_000).unref();
  const rooms = roomRoutes(store, hub);
  const upgrades = roomUpgrades(store, hub, targets);
  const nodeRuns = nodeRunUpgrades(store, targets.registry);

  const server = createServer((req, res) => {
    rooms(req, res)
      .then((done) => (done ? undefined : handle(req, res)))
      .catch((e) => {
        res.statusCode = 500;
        res.end(`server error: ${(e as Error).message}`);
      });
  });
  server.on('upgrade', (req, socket, head) => {
    if (upgrades(req, socket, head) || nodeRuns(req, socket, head)) return;
    // `next dev`'s hot reload socket; nothing else upgrades in production.
    void nextUpgrade(req, socket, head);
  });
  await new Promise<void>((ok, fail) => server.once('error', fail).listen(port, hostname, ok));
  console.log(
    `bpfplay web ready on http://${hostname}:${port} (${dev ? 'dev' : 'production'}; ${track.length} lessons; ${targets.describe})`,
  );
  const stop = () => {
    server.close();
    process.exit(0);
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main().catch((e) => {
  console.error(`bpfplay web: ${(e as Error).stack ?? e}`);
  process.exit(1);
});
