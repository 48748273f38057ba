// A real PostgreSQL for tests: PGlite (PostgreSQL compiled to WebAssembly) with the pgvector
// extension, served over the PostgreSQL wire protocol on a TCP port by pglite-socket.
//
//   node server.mjs [--port N] [--host H] [--max-connections N] [--data DIR]
//
// --port 0 (the default) lets the OS pick a free port. Once clients can connect, the one line
// "READY port=N" goes to stdout; everything else goes to stderr. The server exits when its stdin
// closes, so a test JVM that dies (and with it the pipe) never leaves a server behind.
// --data keeps the cluster in DIR; without it the database lives in memory and is gone on exit.
//
// PGlite is one PostgreSQL backend. pglite-socket multiplexes up to --max-connections clients onto
// it (one session for all: SET, named prepared statements and advisory locks are shared, and a
// client's open transaction holds the others' statements back until it ends). The default is 8,
// not pglite-socket's 1: with 1, a client that connects right after another disconnected is often
// refused (connection reset), because the server still counts the old client until it has
// processed its close.
import { parseArgs } from 'node:util'
import { PGlite } from '@electric-sql/pglite'
import { vector } from '@electric-sql/pglite-pgvector'
import { PGLiteSocketServer } from '@electric-sql/pglite-socket'

// stdout carries only the ready line; keep any library chatter off it.
console.log = console.error
console.info = console.error

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '0' },
    host: { type: 'string', default: '127.0.0.1' },
    'max-connections': { type: 'string', default: '8' },
    data: { type: 'string' },
  },
})

function integer(name, text, min) {
  const n = Number(text)
  if (!Number.isInteger(n) || n < min) {
    console.error(`server.mjs: --${name} must be an integer >= ${min}, got '${text}'`)
    process.exit(2)
  }
  return n
}

const port = integer('port', values.port, 0)
const maxConnections = integer('max-connections', values['max-connections'], 1)

const db = await PGlite.create(values.data ?? 'memory://', { extensions: { vector } })
const server = new PGLiteSocketServer({ db, host: values.host, port, maxConnections })

let stopping = false
async function stop(code) {
  if (stopping) return
  stopping = true
  // Should PGlite hang on close, still go: the caller is waiting for this process to end.
  setTimeout(() => process.exit(code), 5000).unref()
  try {
    await server.stop()
    await db.close()
  } catch (e) {
    console.error('server.mjs: error while stopping:', e)
    code = code || 1
  }
  process.exit(code)
}

server.addEventListener('error', (e) => console.error('server.mjs: socket server error:', e.detail))
process.on('SIGTERM', () => stop(0))
process.on('SIGINT', () => stop(0))
process.stdin.on('end', () => stop(0))
process.stdin.on('close', () => stop(0))
process.stdin.on('error', () => stop(0))
process.stdin.resume()

await server.start()
const bound = server.getServerConn() // "host:port", with the port the OS chose
process.stdout.write(`READY port=${bound.slice(bound.lastIndexOf(':') + 1)}\n`)
