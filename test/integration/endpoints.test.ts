import { spawn } from 'node:child_process';
import path from 'node:path';
import { startApi, type RunningApi } from '../../src/api/server';
import { ENDPOINTS } from '../../src/jobs/endpoints';
import { silentLogger, startRig, type Rig } from '../support/helpers';

const CLI = path.join(__dirname, '../../dist/cli/main.js');
const TOKEN = 'test-api-token-endpoints-0123456789';

function cli(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [CLI, ...args], {
    env: { PATH: process.env.PATH ?? '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
}

let rig: Rig | null = null;
let api: RunningApi | null = null;
afterEach(async () => {
  await api?.close();
  api = null;
  await rig?.close();
  rig = null;
});

async function startServer(): Promise<string> {
  rig = await startRig({ env: { API_TOKEN: TOKEN, API_HOST: '127.0.0.1', API_PORT: '0' } });
  api = await startApi({ config: rig.config, logger: silentLogger });
  return api.url;
}

const declared = ENDPOINTS.map((e) => `${e.provider}/${e.endpoint}`);
const auth = { authorization: `Bearer ${TOKEN}` };

describe('vidu-queue endpoints and GET /v1/endpoints', () => {
  test('the CLI --json, the API and the declarations list exactly the same endpoints', async () => {
    const out = await cli(['endpoints', '--json']);
    expect(out.code).toBe(0);
    const fromCli = JSON.parse(out.stdout) as { provider: string; endpoint: string }[];
    expect(fromCli.map((e) => `${e.provider}/${e.endpoint}`)).toEqual(declared);

    const url = await startServer();
    const res = await fetch(`${url}/v1/endpoints`, { headers: auth });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual(fromCli);
  });

  test('the CLI lists every endpoint with its mode, off-peak and models', async () => {
    const out = await cli(['endpoints']);
    expect(out.code).toBe(0);
    const lines = out.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^ENDPOINT +MODE +OFF-PEAK +MODELS$/);
    expect(lines.slice(1).map((l) => l.split(/ +/)[0])).toEqual(declared);
    expect(out.stdout).toMatch(/novita\/vidu-q2-reference2video +reference +no +-/);
    expect(out.stdout).toMatch(/vidu\/img2video +i2v +yes \(audio off\) +viduq3-pro, viduq3-turbo/);
  });

  test("the CLI prints one endpoint's fields, ranges and defaults for a model", async () => {
    const out = await cli(['endpoints', 'vidu/img2video', '--model', 'viduq1']);
    expect(out.code).toBe(0);
    expect(out.stdout).toContain('page: https://platform.vidu.com/docs/image-to-video');
    expect(out.stdout).toContain('  duration: the integer 5 (default 5) — seconds');
    expect(out.stdout).toContain('  resolution: one of "1080p"');
    expect(out.stdout).toContain('  bgm: rejected:');
    expect(out.stdout).toMatch(/^off-peak: The page, on `audio`/m);
    const json = await cli(['endpoints', 'vidu/img2video', '--model', 'viduq1', '--json']);
    expect(JSON.parse(json.stdout)).toMatchObject({
      endpoint: 'img2video',
      models: [{ name: 'viduq1', audioDefault: false }],
    });
  });

  test('an unknown endpoint or model is an error naming the known ones', async () => {
    const bad = await cli(['endpoints', 'vidu/nope']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain(`unknown endpoint "vidu/nope" (known: ${declared.join(', ')})`);
    const model = await cli(['endpoints', 'vidu/img2video', '--model', 'viduq9']);
    expect(model.code).toBe(2);
    expect(model.stderr).toMatch(/no model "viduq9" \(known: viduq3-pro, viduq3-turbo, viduq2/);
  });

  test('GET /v1/endpoints/{provider}/{endpoint} serves one endpoint, behind the token', async () => {
    const url = await startServer();
    expect((await fetch(`${url}/v1/endpoints`)).status).toBe(401);
    const one = await fetch(`${url}/v1/endpoints/vidu/img2video?model=viduq3-pro`, {
      headers: auth,
    });
    expect(one.status).toBe(200);
    const body = (await one.json()) as { models: { name: string; audioDefault: boolean }[] };
    expect(body.models).toEqual([
      expect.objectContaining({ name: 'viduq3-pro', audioDefault: true }),
    ]);
    const cliOut = await cli(['endpoints', 'vidu/img2video', '--model', 'viduq3-pro', '--json']);
    expect(body).toEqual(JSON.parse(cliOut.stdout));
    const missing = await fetch(`${url}/v1/endpoints/novita/nope`, { headers: auth });
    expect(missing.status).toBe(404);
    expect(((await missing.json()) as { message: string }).message).toContain(
      'known: vidu-q3-pro-i2v',
    );
    const badModel = await fetch(`${url}/v1/endpoints/vidu/img2video?model=x`, { headers: auth });
    expect(badModel.status).toBe(404);
  });
});
