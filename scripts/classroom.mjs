// `make classroom`: the built page served from the teacher's laptop to every student's device
// on the same network. A browser gives storage, service workers, crypto.subtle and cross-origin
// isolation (threads) only to a secure context: https, or 127.0.0.1 on the machine itself. So
// by default this serves https with a self-signed certificate for the laptop's addresses, made
// once by openssl and kept under the cache (each student accepts its warning once); HTTPS=0
// serves plain http, where the page still works, on one thread and without storage. It prints
// the addresses to type, a QR code of the first for phones, and what a student's browser gets.
//
//   node scripts/classroom.mjs     PORT (8080), HOST (0.0.0.0), HTTPS (1), BERT_VS_GPT_CACHE
//
// Also importable: `classroomCertificate(dir, names)` and `startClassroom(options)`.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import QRCode from 'qrcode';
import { startServer } from './serve.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** This machine's IPv4 addresses on its networks (not loopback), as students would type them. */
export function lanAddresses() {
  return Object.values(os.networkInterfaces()).flat().filter((a) => a && a.family === 'IPv4' && !a.internal).map((a) => a.address);
}

/**
 * The certificate and key (PEM) for `names` (IP addresses and host names) in `dir`: made by
 * openssl when missing or when the names changed (the laptop joined another network), else the
 * one made before, so students accept the warning once per network.
 */
export function classroomCertificate(dir, names) {
  mkdirSync(dir, { recursive: true });
  const [keyFile, certFile, namesFile] = ['key.pem', 'cert.pem', 'names.json'].map((f) => path.join(dir, f));
  const wanted = JSON.stringify([...new Set(names)].sort());
  if (!existsSync(certFile) || !existsSync(namesFile) || readFileSync(namesFile, 'utf8') !== wanted) {
    const alt = JSON.parse(wanted).map((name) => (/^[\d.]+$/.test(name) ? `IP:${name}` : `DNS:${name}`)).join(',');
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-sha256', '-days', '825',
      '-keyout', keyFile, '-out', certFile, '-subj', '/CN=bert-vs-gpt classroom', '-addext', `subjectAltName=${alt}`], { stdio: 'pipe' });
    writeFileSync(namesFile, wanted);
  }
  return { key: readFileSync(keyFile), cert: readFileSync(certFile) };
}

/**
 * Serves `root` for a class: https with the classroom certificate for `names` (default), or
 * http. Resolves to startServer's {url, port, close}.
 */
export function startClassroom({ root = ROOT, port = 8080, host = '0.0.0.0', https = true, names = [...lanAddresses(), os.hostname(), 'localhost', '127.0.0.1'], cacheDir }) {
  const tls = https ? classroomCertificate(path.join(cacheDir, 'classroom'), names) : null;
  return startServer({ root, port, host, tls });
}

/** What a student's browser gets from this server, in plain words. */
function whatStudentsGet(https) {
  return https
    ? [
        'Students: the browser warns once that the certificate is self-signed (this laptop made it).',
        'Chrome/Edge: Advanced → Proceed; Firefox: Advanced → Accept the Risk; Safari: Show Details → visit this website.',
        'After that the page is a secure context: threads, models stored after the first download, works offline.',
      ]
    : [
        'Plain http (HTTPS=0): a student\'s browser treats the page as insecure.',
        'It works, but on one thread, and without storage: every visit downloads the models again and nothing works offline.',
        'Serve https (the default) to keep the models after the first visit.',
      ];
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const https = process.env.HTTPS !== '0';
  const cacheDir = process.env.BERT_VS_GPT_CACHE ?? path.join(os.homedir(), '.cache', 'bert-vs-gpt');
  if (!existsSync(path.join(ROOT, 'pkg', 'bert_vs_gpt_bg.wasm'))) {
    console.error('pkg/ is missing: run make build (or make demo) first');
    process.exit(1);
  }
  try {
    const { port } = await startClassroom({ port: Number(process.env.PORT ?? 8080), host: process.env.HOST ?? '0.0.0.0', https, cacheDir });
    const scheme = https ? 'https' : 'http';
    const addresses = lanAddresses();
    const urls = addresses.map((address) => `${scheme}://${address}:${port}/`);
    console.log(`bert-vs-gpt for a class, ${https ? 'over https' : 'over plain http'} (Ctrl-C stops it).\n`);
    if (!urls.length) console.log(`No network address found: is this laptop on the class's network? On this machine: ${scheme}://127.0.0.1:${port}/`);
    for (const url of urls) console.log(`  ${url}`);
    if (urls.length) console.log(`\n${await QRCode.toString(urls[0], { type: 'terminal', small: true })}`);
    console.log(whatStudentsGet(https).join('\n'));
    console.log(`\nOn this laptop itself: ${scheme}://127.0.0.1:${port}/ (or presenter mode: add ?present=1).`);
  } catch (error) {
    console.error(error.code === 'EADDRINUSE' ? `port ${process.env.PORT ?? 8080} is in use: try PORT=8081 make classroom` : error.message);
    process.exit(1);
  }
}
