/** Source trees of tiny demos that build offline on the `portico-test/busybox` base image. */
export const BUSYBOX = 'portico-test/busybox:latest';

/** A static site served by busybox httpd on port 8000. `run` adds a RUN step (e.g. a failing one). */
export function staticSite(body: string, options: { run?: string; cmd?: string; port?: number } = {}): Record<string, string> {
  const port = options.port ?? 8000;
  const lines = [
    `FROM ${BUSYBOX}`,
    'COPY index.html /www/index.html',
    ...(options.run ? [`RUN ${options.run}`] : []),
    `EXPOSE ${port}`,
    options.cmd ?? `CMD ["httpd", "-f", "-p", "${port}", "-h", "/www"]`,
  ];
  return { Dockerfile: lines.join('\n') + '\n', 'index.html': body };
}
