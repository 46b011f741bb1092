// The liveness route's baseline: a bare Fastify process (the Fastify the service runs on, no plugins, no
// hooks, default logger off) answering GET /live with {"status":"ok"}, as the service's GET /health/live
// answers. Forked by bench/run.mjs; sends {"port": n} once it listens on 127.0.0.1.
import Fastify from 'fastify';

const app = Fastify();
app.get('/live', async () => ({ status: 'ok' }));
await app.listen({ host: '127.0.0.1', port: 0 });
process.send({ port: app.server.address().port });
process.on('SIGINT', () => process.exit(0));
