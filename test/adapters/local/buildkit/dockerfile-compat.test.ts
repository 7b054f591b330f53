import { describe, expect, it } from 'vitest';
import { adaptForBuiltinFrontend, type CompatResult } from '../../../../gateway/adapters/local/buildkit/dockerfile-compat.ts';
import { hasOldFrontend } from '../../../../gateway/adapters/local/buildkit/frontend-plan.ts';

const ENGINE = '20.10.24+dfsg1';

function adapted(text: string): Extract<CompatResult, { ok: true }> {
  const result = adaptForBuiltinFrontend(text, ENGINE);
  if (!result.ok) throw new Error(result.error);
  return result;
}

function refusal(text: string): string {
  const result = adaptForBuiltinFrontend(text, ENGINE);
  if (result.ok) throw new Error('expected a refusal');
  return result.error;
}

describe('Dockerfile adapted to the frontend built into Docker 20.10', () => {
  it('leaves a Dockerfile the built-in frontend reads as it is', () => {
    const text = 'FROM python:3.11\nRUN --mount=type=cache,target=/root/.cache pip install -r requirements.txt\nCOPY --chmod=755 --chown=1000 start.sh /start.sh\n';
    expect(adapted(text)).toEqual({ ok: true, text, files: [], notes: [] });
  });

  it('builds an official # syntax= directive with the built-in frontend and says so', () => {
    const result = adapted('# syntax=docker/dockerfile:1.4\nFROM python:3.11\n');
    expect(result.text).toBe("# (syntax=docker/dockerfile:1.4: built with the engine's built-in frontend)\nFROM python:3.11\n");
    expect(result.notes).toEqual(['Dockerfile line 1: # syntax=docker/dockerfile:1.4 is not pulled; building with the Dockerfile frontend built into Docker 20.10.24+dfsg1']);
  });

  it('refuses a custom frontend image it would have to pull', () => {
    expect(refusal('# syntax=ghcr.io/acme/frontend:2\nFROM python:3.11\n')).toMatch(/^Dockerfile line 1: # syntax=ghcr\.io\/acme\/frontend:2 asks for a custom Dockerfile frontend image.*load that image into the engine/);
  });

  it('drops --link from COPY and ADD, keeping the other flags and the line', () => {
    const result = adapted('FROM node:20\nCOPY --link --chown=node package.json /app/\nADD --link=true app.tar.gz /srv/\n');
    expect(result.text).toBe('FROM node:20\nCOPY --chown=node package.json /app/\nADD app.tar.gz /srv/\n');
    expect(result.notes).toHaveLength(2);
  });

  it('refuses flags the built-in frontend lacks, naming the line, the flag and the fix', () => {
    expect(refusal('FROM node:20\nCOPY --parents src/*/package.json /app/\n')).toBe(
      'Dockerfile line 2: COPY --parents needs a newer Dockerfile syntax, which the Dockerfile frontend built into this engine (Docker 20.10.24+dfsg1) does not have, and a newer frontend image cannot be pulled here; remove --parents, or use a Docker 23 or newer engine, whose built-in frontend has it',
    );
    expect(refusal('FROM node:20\nRUN --network=none npm test\n')).toMatch(/^Dockerfile line 2: RUN --network needs a newer Dockerfile syntax/);
    expect(refusal('FROM node:20\nADD --checksum=sha256:abc https://example.com/x.tgz /x.tgz\n')).toMatch(/^Dockerfile line 2: ADD --checksum/);
  });

  it('runs a lone RUN here-document as BuildKit does: the stage shell with the script, on the same line', () => {
    const result = adapted('FROM ubuntu\nRUN --mount=type=cache,target=/var/cache/apt <<EOT\nset -e\napt-get update\n\tapt-get install -y curl\nEOT\nCMD ["bash"]\n');
    expect(result.text).toBe('FROM ubuntu\nRUN --mount=type=cache,target=/var/cache/apt ["/bin/sh","-c","set -e\\napt-get update\\n\\tapt-get install -y curl\\n"]\n\n\n\n\nCMD ["bash"]\n');
    expect(result.files).toEqual([]);
  });

  it('reads here-document markers on a RUN whose flags continue over lines, keeping the lines after it in place', () => {
    const result = adapted('FROM python:3.11\nRUN --mount=type=cache,target=/root/.cache/pip \\\n    --mount=type=secret,id=HF_TOKEN <<EOT\npip install -r requirements.txt\nEOT\nCOPY --link \\\n  app.py /app/\nCMD ["python", "app.py"]\n');
    expect(result.text.split('\n')).toEqual([
      'FROM python:3.11',
      'RUN --mount=type=cache,target=/root/.cache/pip     --mount=type=secret,id=HF_TOKEN ["/bin/sh","-c","pip install -r requirements.txt\\n"]',
      '',
      '',
      '',
      'COPY \\',
      '  app.py /app/',
      'CMD ["python", "app.py"]',
      '',
    ]);
  });

  it('strips leading tabs of a <<- document and uses the SHELL of the stage and of the stage it is built from', () => {
    const result = adapted('FROM ubuntu AS base\nSHELL ["/bin/bash", "-o", "pipefail", "-c"]\nFROM base\nRUN <<-EOT\n\techo one\n\tEOT\n');
    expect(result.text.split('\n')[3]).toBe('RUN ["/bin/bash","-o","pipefail","-c","echo one\\n"]');
  });

  it('gives a command with here-documents to the shell whole, as BuildKit does', () => {
    const result = adapted('FROM python:3.11\nRUN python3 - <<EOF > /out.txt\nprint("hi $USER")\nEOF\n');
    expect(result.text.split('\n')[1]).toBe('RUN ["/bin/sh","-c","python3 - <<EOF > /out.txt\\nprint(\\"hi $USER\\")\\nEOF"]');
  });

  it('mounts a here-document that starts with #! and runs it', () => {
    const result = adapted('FROM python:3.11\nRUN <<EOF\n#!/usr/bin/env python3\nprint("hi")\nEOF\n');
    expect(result.text.split('\n')[1]).toBe('RUN --mount=type=bind,source=.portico-buildkit/2/EOF,target=/dev/pipes/EOF ["/dev/pipes/EOF"]');
    expect(result.files).toEqual([{ path: '.portico-buildkit/2/EOF', content: '#!/usr/bin/env python3\nprint("hi")\n', mode: 0o755 }]);
  });

  it('turns COPY here-documents into generated files named as the document, mode 0644', () => {
    const result = adapted("FROM nginx\nCOPY <<'EOF' <<CONF /etc/nginx/\nliteral $host\nEOF\nserver {}\nCONF\nCOPY index.html /usr/share/nginx/html/\n");
    expect(result.text).toBe('FROM nginx\nCOPY .portico-buildkit/2/EOF .portico-buildkit/2/CONF /etc/nginx/\n\n\n\n\nCOPY index.html /usr/share/nginx/html/\n');
    expect(result.files).toEqual([
      { path: '.portico-buildkit/2/EOF', content: 'literal $host\n', mode: 0o644 },
      { path: '.portico-buildkit/2/CONF', content: 'server {}\n', mode: 0o644 },
    ]);
  });

  it('refuses a COPY here-document whose $variables BuildKit would expand', () => {
    expect(refusal('FROM nginx\nARG PORT=80\nCOPY <<EOF /etc/port\nlisten $PORT\nEOF\n')).toMatch(/^Dockerfile line 3: COPY <<EOF expands \$variables in the document's content.*quote the delimiter \(<<'EOF'\) if the \$ signs are literal, or use a Docker 23 or newer engine/);
  });
});

describe('engine versions with an old built-in Dockerfile frontend', () => {
  it('are those before Docker 23', () => {
    expect(['20.10.24+dfsg1', '19.03.15', '22.06.0-beta.0'].map(hasOldFrontend)).toEqual([true, true, true]);
    expect(['23.0.0', '24.0.7', '27.3.1', 'master-dockerproject-2024-01-01'].map(hasOldFrontend)).toEqual([false, false, false, false]);
  });
});
